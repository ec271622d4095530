"""Dossiers service (hồ sơ đề nghị khen thưởng): award nomination dossiers, their documents,
completeness, deadline and review; keeps nominees' measured figures for the Form 08 report."""

SERVICE = "dossiers"
