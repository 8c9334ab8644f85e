"""`strategyroom deck check` and `deck import` as a first user met them: a
deck with many problems at once gets all of them in one run (a missing title
no longer hides a scale of 20 steps, a wrong question type no longer hides a
misspelt field, a missing caption language no longer hides missing files),
and the messages that once misled say what to do."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from strategyroom.cli import main

# Every kind of problem the first user found one run at a time (issue 17).
BROKEN = """\
id: our-town
version: "1.0"
title: {en: "Our town", da: "Vores by", sv: "Vår stad"}
languages: [en, da, sv]
cards:
  - id: hello
    kind: intro
    title: "Welcome"
    image:
      file: our-town/missing.png
      alt: "A chart"
    video:
      file: bus.mp4
      title: "A bus"
      captions: {en: bus.en.vtt, da: bus.da.vtt}
  - id: age-question
    kind: question
    title: "About you"
    question:
      id: age
      type: multiple-choice
      profil: true
      prompt: "How old are you?"
      options:
        - {id: young, label: "Under 30"}
        - {id: old, label: "30 and over"}
  - id: transport-question
    kind: question
    title: "Transport"
    question:
      id: transport-first
      type: ranking
      prompt: "What first?"
      options:
        - {id: buses, label: "More buses"}
        - {id: buses, label: "Cycle paths"}
  - id: plan
    kind: question
    title: "The plan"
    question:
      id: plan-budget
      type: budget
      total: 30
      max_choices: 2
      prompt: "Split 30"
      options:
        - {id: a, label: "A"}
        - {id: b, label: "B"}
  - id: bye
    kind: closing
    question:
      id: mood
      type: scale
      min: 1
      max: 20
      prompt: "x"
  - id: hello
    kind: outro
    title: "Pause"
"""

GOOD = """\
id: our-town
version: "1.0"
title: "Our town"
cards:
  - id: hello
    kind: intro
    title: "Welcome"
    image:
      file: our-town/heat.png
      alt: "A chart"
"""


def png() -> bytes:
    """A small chart-sized PNG, made as an officer's drawing tool makes one."""
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 60, 30)).save(out, "PNG")
    return out.getvalue()


def line(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def write(tmp_path: Path, text: str, name: str = "our-town.yaml") -> Path:
    media = tmp_path / "media"
    (media / "our-town").mkdir(parents=True, exist_ok=True)
    (media / "bus.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nA bus\n")
    (media / "bus.da.vtt").write_text("hello\n")
    (media / "our-town" / "heat.png").write_bytes(png())
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(capsys: pytest.CaptureFixture[str], path: Path, language: str) -> tuple[int, list[str]]:
    code = main(["deck", "check", "--language", language, str(path)])
    return code, capsys.readouterr().out.splitlines()


def test_every_problem_of_every_layer_is_listed_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, BROKEN)
    t = BROKEN
    media = f"{tmp_path}/media/"

    def at(needle: str, after: str = "") -> str:
        return f"  {path}:{line(t, needle, after)}: "

    fields = "id, prompt, help, reveal, scope, options, type, total, unit, currency, package"
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 15 problems",
            at("file: our-town")
            + "card 1 (id: hello), field image.file: there is no file our-town/missing.png "
            f"in the media folder {media}",
            at("file: bus.mp4")
            + f"card 1 (id: hello), field video.file: there is no file bus.mp4 in the media "
            f"folder {media}",
            at("captions:")
            + "card 1 (id: hello), field video.captions: the video needs a caption file "
            "(WebVTT) in sv, for those who cannot hear it",
            at("captions:")
            + "card 1 (id: hello), field video.captions.da: the caption file is not WebVTT: "
            "it must begin with WEBVTT",
            at("type: multiple-choice")
            + "card 2 (id: age-question), field question.type: multiple-choice is not a "
            "question type; did you mean multiple? The types are single, multiple, scale, "
            "ranking, budget, text",
            at("profil:")
            + "card 2 (id: age-question), field question.profil: profil is not a field of a "
            "question; did you mean profile?",
            at("- {id: buses", after="More buses")
            + "card 3 (id: transport-question), option 2 (id: buses), field id: the option id "
            "buses is used twice: option 1 has it too",
            at("max_choices: 2")
            + "card 4 (id: plan), field question.max_choices: max_choices is not a field of a "
            f"question of type budget; it may have {fields}",
            at("- id: bye") + "card 5 (id: bye), field title: title is missing",
            at("- id: bye")
            + "card 5 (id: bye): a card of kind closing cannot carry a question; only "
            "question cards can",
            at("question:", after="id: bye")
            + "card 5 (id: bye), field question.min_label: min_label is missing",
            at("question:", after="id: bye")
            + "card 5 (id: bye), field question.max_label: max_label is missing",
            at("question:", after="id: bye")
            + "card 5 (id: bye), field question: a scale needs 2 to 11 steps: "
            "max - min from 1 to 10",
            at("- id: hello", after="id: bye")
            + "card 6 (id: hello), field id: the card id hello is used twice: card 1 has it too",
            at("kind: outro")
            + "card 6 (id: hello), field kind: outro is not a card kind; did you mean intro? "
            "The kinds are intro, scenario, evidence, question, break, closing",
        ],
    )
    code, swedish = check(capsys, path, "sv")
    assert code == 1
    assert swedish[0] == f"{path}: 15 fel"
    assert swedish[1:3] == [
        at("file: our-town")
        + "kort 1 (id: hello), fältet image.file: det finns ingen fil our-town/missing.png "
        f"i mediemappen {media}",
        at("file: bus.mp4")
        + f"kort 1 (id: hello), fältet video.file: det finns ingen fil bus.mp4 i mediemappen "
        f"{media}",
    ]
    assert swedish[5:7] == [
        at("type: multiple-choice")
        + "kort 2 (id: age-question), fältet question.type: multiple-choice är inte en "
        "frågetyp. Menade du multiple? Typerna är single, multiple, scale, ranking, budget, "
        "text",
        at("profil:")
        + "kort 2 (id: age-question), fältet question.profil: profil är inte ett fält i en "
        "fråga. Menade du profile?",
    ]
    assert swedish[15] == (
        at("kind: outro") + "kort 6 (id: hello), fältet kind: outro är inte en korttyp. Menade "
        "du intro? Typerna är intro, scenario, evidence, question, break, closing"
    )


# The start of a profile question's card; its options and reference follow.
AGE_CARD = (
    "  - id: age-question\n"
    "    kind: question\n"
    "    title: About you\n"
    "    question:\n"
    "      id: age\n"
    "      type: single\n"
    "      profile: true\n"
    "      prompt: How old?\n"
)


def test_a_reference_link_may_be_http_and_its_message_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace(
        "cards:\n",
        "cards:\n"
        + AGE_CARD
        + "      options: [{id: young, label: Young}, {id: old, label: Old}]\n"
        "      reference:\n"
        "        shares: {young: 0.4, old: 0.6}\n"
        "        source: Statistics\n"
        "        link: www.statbank.dk/FOLK1A\n"
        "        year: 2025\n",
    )
    path = write(tmp_path, text)
    at = f"  {path}:{line(text, 'link:')}: card 1 (id: age-question), field question.reference.link"
    assert check(capsys, path, "en")[1][1] == (
        f"{at}: www.statbank.dk/FOLK1A is not a web address: it must begin with https:// or http://"
    )
    assert check(capsys, path, "da")[1][1] == (
        f"{at.replace('card', 'kort').replace('field', 'feltet')}: www.statbank.dk/FOLK1A er "
        "ikke en webadresse: den skal begynde med https:// eller http://"
    )
    http = write(tmp_path, text.replace("www.statbank", "http://www.statbank"))
    assert check(capsys, http, "en") == (0, [f"{http}: ok (our-town 1.0, 2 cards)"])


def test_a_country_code_as_default_language_gets_the_language_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace('title: "Our town"\n', 'title: "Our town"\nlanguages: [en, da, sv]\n')
    text = text.replace("languages:", "default_language: se\nlanguages:")
    path = write(tmp_path, text)
    at = f"  {path}:{line(text, 'default_language')}"
    assert check(capsys, path, "en")[1][1] == (
        f"{at}: field default_language: se is not one of the deck's languages (en, da, sv); "
        "did you mean sv?"
    )
    assert check(capsys, path, "da")[1][1] == (
        f"{at}: feltet default_language: se er ikke et af kortsættets sprog (en, da, sv). "
        "Mente du sv?"
    )


def test_a_version_written_as_a_number_is_told_to_be_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace('version: "1.0"', "version: 1.10"))
    at = f"  {path}:2: field version"
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f'{at}: this should be a text, not a number: put it in quotes, like "1.10"',
        ],
    )
    assert check(capsys, path, "sv")[1][1] == (
        f"{at.replace('field', 'fältet')}: här ska det stå en text, inte ett tal: sätt "
        'citattecken runt, till exempel "1.10"'
    )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strategyroom", "deck", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_bare_deck_file_imports_with_the_media_folder_beside_it(tmp_path: Path) -> None:
    # `deck check` found our-town/heat.png in media/ beside the file; so does import.
    path = write(tmp_path, GOOD)
    data = str(tmp_path / "data")
    imported = run("import", str(path), "--data-dir", data)
    assert (imported.returncode, imported.stdout, imported.stderr) == (
        0,
        "Deck our-town: imported as version 1.\n",
        "",
    )
    out = tmp_path / "out.zip"
    exported = run("export", "our-town", "--out", str(out), "--data-dir", data)
    assert exported.stdout == f"Deck our-town, version 1, written to {out}.\n"
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["deck.yaml", "media/our-town/heat.png"]


def test_a_refused_import_says_what_deck_check_says_and_that_nothing_was_stored(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, BROKEN)
    data = str(tmp_path / "data")
    refused = run("import", "--language", "da", str(path), "--data-dir", data)
    checked = run("check", "--language", "da", str(path))
    assert refused.returncode == checked.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == checked.stdout + "Nothing was stored in the deck library.\n"
    assert refused.stderr.startswith(f"{path}: 15 fejl\n  {path}:10: kort 1 (id: hello)")
    missing = run("export", "our-town", "--out", str(tmp_path / "x.zip"), "--data-dir", data)
    assert (missing.returncode, missing.stderr) == (
        1,
        f"error: There is no deck called our-town. (the deck library in {data}; "
        "--data-dir reads another)\n",
    )


def test_reference_shares_beside_options_of_no_proper_id_are_checked_without_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An option id written as a list (or left out) is pydantic's to name; the
    # reference shares are then not compared with the options (once "unhashable
    # type: 'list'", and "missing None" for the option without an id).
    text = GOOD.replace(
        "cards:\n",
        "cards:\n"
        + AGE_CARD
        + "      options: [{id: [young], label: Young}, {label: Old}, {id: mid, label: Mid}]\n"
        "      reference:\n"
        "        shares: {young: 0.4, old: 0.6}\n"
        "        source: Statistics\n"
        "        year: 2025\n"
        "  - id: transport\n"
        "    kind: question\n"
        "    title: Transport\n"
        "    question:\n"
        "      id: transport\n"
        "      type: multiple\n"
        "      prompt: What first?\n"
        "      max_choices: 3\n"
        "      options: [{id: bus, label: Bus}, bike, {id: car, label: Car}]\n",
    )
    path = write(tmp_path, text)
    at = f"  {path}:{line(text, 'options: [{id: [young]')}: card 1 (id: age-question), option"
    bike = f"  {path}:{line(text, 'bike')}: card 2 (id: transport), option 2"
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 3 problems",
            f"{at} 1, field id: this should be a text",
            f"{at} 2, field id: id is missing",
            f"{bike}: this should be fields with values (name: value)",
        ],
    )


def test_ids_and_names_written_as_lists_are_named_without_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A list where a text belongs (an id, a scenario, a pair, a package's
    # attribute): pydantic names each; the deck's own rules once stopped at
    # the first with "unhashable type: 'list'".
    text = GOOD.replace(
        "cards:\n",
        "cards:\n"
        "  - id: [start]\n"
        "    kind: scenario\n"
        "    title: Start\n"
        "  - id: transport\n"
        "    kind: question\n"
        "    title: Transport\n"
        "    scenario: [start]\n"
        "    question:\n"
        "      id: [transport]\n"
        "      type: budget\n"
        "      prompt: What first?\n"
        "      total: 100\n"
        "      package: {cap_attribute: [cost], cap: 10}\n"
        "      options: [{id: bus, label: Bus}, {id: car, label: Car}]\n"
        "  - id: mood\n"
        "    kind: question\n"
        "    title: Mood\n"
        "    question:\n"
        "      id: mood\n"
        "      type: scale\n"
        "      prompt: How?\n"
        "      min_label: Bad\n"
        "      max_label: Good\n"
        "      pair: {id: [mood], phase: before}\n",
    )
    path = write(tmp_path, text)
    code, lines = check(capsys, path, "en")
    assert code == 1
    for needle in ("id: [start]", "scenario: [start]", "id: [transport]", "cap_attribute", "pair"):
        assert [ln for ln in lines if f":{line(text, needle)}:" in ln], needle
    # A number where an attribute's name belongs.
    path = write(tmp_path, text.replace("cap_attribute: [cost]", "cap_attribute: 5"))
    code, lines = check(capsys, path, "en")
    assert code == 1
    assert [ln for ln in lines if f":{line(text, 'cap_attribute')}:" in ln]
