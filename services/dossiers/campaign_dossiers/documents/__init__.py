"""The documents people sign, drafted from recorded facts: the Form 08 achievement report and
the award decision (DOCX, Nghị định 30/2020/NĐ-CP layout) and the certificates (PDF)."""
