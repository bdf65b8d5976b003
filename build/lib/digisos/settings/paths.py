from pathlib import Path

from .parsers import env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything a running instance writes (SQLite file, embedded broker, cache, media) lives here.
VAR_DIR = Path(env_str("DIGISOS_VAR_DIR", str(BASE_DIR / "var")))
