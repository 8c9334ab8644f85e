"""Translation catalogues: extract, update and check (docs/translating.md).

    python scripts/catalogues.py extract   # write strategyroom/locale/messages.pot
    python scripts/catalogues.py update    # merge the template into every catalogue
    python scripts/catalogues.py check     # fail on untranslated text or stale catalogues

`check` runs in CI: it fails when a template has visible text outside `_()`, when
a catalogue lacks a message, has an empty or fuzzy translation (except in the
partial catalogues listed below), or keeps messages the code no longer uses.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "strategyroom" / "locale"
TEMPLATE = LOCALE / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Catalogues that may be incomplete (a proof of right-to-left layout, not a full translation).
PARTIAL = {"ar"}
# Text that is the same in every language.
UNTRANSLATED_OK = {"UTC", "·", "–", "=", ",", ".", ";", ":", "(", ")"}
TEXT_ATTRIBUTES = re.compile(r'\b(aria-label|placeholder|title|alt)="([^"]*)"')


def extract() -> Catalog:
    catalog = Catalog(project="strategyroom", msgid_bugs_address="", fuzzy=False)
    method_map = [("strategyroom/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        if filename.startswith("scripts"):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, include_lineno=False)


def cmd_extract() -> int:
    write(extract(), TEMPLATE)
    print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    return 0


def cmd_update() -> int:
    template = extract()
    write(template, TEMPLATE)
    for path in catalogues():
        with path.open("rb") as po:
            catalog = read_po(po)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        write(catalog, path)
        print(f"updated {path.relative_to(ROOT)}")
    return 0


def untranslatable_template_text() -> list[str]:
    """Visible words in templates that do not go through gettext."""
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for name, value in TEXT_ATTRIBUTES.findall(source):
            if re.search(r"[A-Za-z]", value) and "{{" not in value:
                problems.append(f'{path.relative_to(ROOT)}: {name}="{value}" is not translatable')
        # The product's name and CSS class names in blocks are not interface text.
        text = source.replace("Strategy Room", " ")
        text = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", text)
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
        text = re.sub(r"&[a-z]+;", " ", text)
        for word in text.split():
            if re.search(r"[A-Za-z]", word) and word not in UNTRANSLATED_OK:
                problems.append(f"{path.relative_to(ROOT)}: text {word!r} is outside _()")
    return problems


def cmd_check() -> int:
    problems = untranslatable_template_text()
    template = extract()
    wanted = {m.id for m in template if m.id}
    for path in catalogues():
        language = path.parent.parent.name
        with path.open("rb") as po:
            catalog = read_po(po)
        have = {m.id: m for m in catalog if m.id}
        missing = sorted(str(i) for i in wanted - set(have))
        stale = sorted(str(i) for i in set(have) - wanted)
        if missing:
            problems.append(f"{language}: {len(missing)} message(s) missing, e.g. {missing[0]!r}")
        if stale:
            problems.append(
                f"{language}: {len(stale)} message(s) no longer used, e.g. {stale[0]!r}"
            )
        if language in PARTIAL:
            continue
        for message in have.values():
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                problems.append(f"{language}: no translation for {message.id!r}")
            elif message.fuzzy:
                problems.append(f"{language}: fuzzy translation for {message.id!r}")
    for problem in problems:
        print(problem)
    if problems:
        print("Run `python scripts/catalogues.py update`, translate, and see docs/translating.md.")
        return 1
    print(f"catalogues ok: {len(wanted)} messages, {len(catalogues())} catalogues")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["extract", "update", "check"])
    args = parser.parse_args(argv)
    return {"extract": cmd_extract, "update": cmd_update, "check": cmd_check}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
