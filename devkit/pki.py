"""A throwaway certificate authority made with openssl, for tests of TLS (gRPC, Kafka, SMTP):
a CA, and certificates it signs for a server on loopback and for a client."""

from __future__ import annotations

import subprocess
from pathlib import Path

SERVER_EXTENSIONS = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
CLIENT_EXTENSIONS = "extendedKeyUsage=clientAuth\n"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(pki: Path, name: str = "ca", subject: str = "throwaway test CA") -> Path:
    """`name.crt` and `name.key` in `pki`: a self-signed CA valid for two days."""
    pki.mkdir(parents=True, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.crt", "-days", "2", "-subj", f"/CN={subject}", cwd=pki)
    return pki / f"{name}.crt"


def issue(name: str, pki: Path, extensions: str, ca: str = "ca") -> Path:
    """`name.key` (unencrypted PKCS #8) and `name.crt` for `name`, signed by the CA `ca`."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", f"/CN={name}", cwd=pki)
    (pki / f"{name}.ext").write_text(extensions)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "2", "-out", f"{name}.crt", "-extfile", f"{name}.ext",
            cwd=pki)
    return pki / f"{name}.crt"


def pem_keystore(name: str, pki: Path) -> Path:
    """The key and certificate of `name` in one PEM file, as Kafka's `ssl.keystore.type=PEM`
    reads a keystore file."""
    store = pki / f"{name}.pem"
    store.write_bytes((pki / f"{name}.key").read_bytes() + (pki / f"{name}.crt").read_bytes())
    return store


def make_pki(pki: Path) -> Path:
    """A CA with a `server` (127.0.0.1, localhost) and a `client` certificate."""
    make_ca(pki)
    issue("server", pki, SERVER_EXTENSIONS)
    issue("client", pki, CLIENT_EXTENSIONS)
    return pki
