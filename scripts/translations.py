"""The translator's tool: extracts every message from the code (Babel, with the keywords the
code uses: finals_app.core.i18n.EXTRACTION_KEYWORDS), merges them into each language's .po (new
messages untranslated, vanished ones dropped), and compiles the .mo the program reads.

    .venv/bin/python scripts/translations.py          # update the .po files and compile them
    .venv/bin/python scripts/translations.py --check  # say what is untranslated; exit 1 if any
    .venv/bin/python scripts/translations.py --add zh_CN "English" "中文" [--context C]
                                                      # one translation added (or changed), compiled
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from finals_app.core.i18n import DOMAIN, EXTRACTION_KEYWORDS, LOCALE_DIR  # noqa: E402


def template() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="finals-app")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / "finals_app", method_map=[("**.py", "python")], keywords=EXTRACTION_KEYWORDS, comment_tags=()):
        if message:
            catalog.add(message, None, [(f"finals_app/{filename}", lineno)], context=context)
    return catalog


def add(argv: list[str]) -> int:
    """One message's translation into one language, then compiled (nothing else changes)."""
    context = None
    if "--context" in argv:
        at = argv.index("--context")
        context = argv[at + 1]
        del argv[at:at + 2]
    language, message, translation = argv
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with open(po, "rb") as handle:
        catalog = read_po(handle)
    catalog.add(message, translation, context=context)
    with open(po, "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    with open(po.with_suffix(".mo"), "wb") as handle:
        write_mo(handle, catalog)
    print(f"{po.relative_to(ROOT)}: {message!r} -> {translation!r}, compiled")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--add"]:
        return add(argv[1:])
    check = "--check" in argv
    source = template()
    untranslated = 0
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        catalog.update(source, no_fuzzy_matching=True)
        missing = [m.id for m in catalog if m.id and not m.string]
        untranslated += len(missing)
        for message in missing:
            print(f"{po.parent.parent.name}: untranslated: {message!r}")
        if not check:
            with open(po, "wb") as handle:
                write_po(handle, catalog, width=100, sort_output=True, ignore_obsolete=True)
            with open(po.with_suffix(".mo"), "wb") as handle:
                write_mo(handle, catalog)
            print(f"{po.relative_to(ROOT)}: {len(catalog)} messages, compiled")
    return 1 if check and untranslated else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
