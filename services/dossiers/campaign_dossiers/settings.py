"""Settings of the dossiers service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from campaign_kit.settings import ServiceSettings

MIB = 1024 * 1024


class DossiersSettings(ServiceSettings):
    grpc_port: int = Field(default=50052, ge=0, le=65535)
    metrics_port: int = Field(default=9102, ge=0, le=65535)
    access_tokens: SecretStr = Field(
        default=SecretStr(""),
        description="Callers: 'token:role[:unit_code]' entries, comma separated; role is "
                    "unit, office or council. None configured: every dossier call is refused",
    )
    access_tokens_file: Path | None = Field(
        default=None, description="A file of the same entries, one a line ('#' comments)"
    )
    blob_dir: Path | None = Field(
        default=None, description="Where uploaded documents are kept; default DATA_DIR/blobs"
    )
    max_document_bytes: int = Field(
        default=20 * MIB, ge=1, le=512 * MIB, description="Largest document accepted, in bytes"
    )

    @property
    def blob_root(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    def access_token_entries(self) -> str:
        """Entries from both places (the file read now, so a missing file fails at start)."""
        text = self.access_tokens.get_secret_value()
        if self.access_tokens_file is not None:
            text += "\n" + self.access_tokens_file.read_text(encoding="utf-8")
        return text
