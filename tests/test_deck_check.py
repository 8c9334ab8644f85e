"""`strategyroom deck check` as a council officer meets it: broken variants of
the sample deck, every problem listed in one run, in plain words and in the
officer's language, each naming the file, the line, the card and the field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from strategyroom.cli import main
from strategyroom.decks import DeckError, load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR

SAMPLE = (SAMPLE_DECKS_DIR / "green-transition.yaml").read_text(encoding="utf-8")


def variant(tmp_path: Path, *changes: tuple[str, str]) -> tuple[Path, str]:
    """The sample deck with each (old, new) replaced once, written as our-town.yaml
    beside a copy of its media folder."""
    shutil.copytree(SAMPLE_DECKS_DIR / "media", tmp_path / "media", dirs_exist_ok=True)
    text = SAMPLE
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "our-town.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def line(text: str, needle: str, after: str = "") -> int:
    """The line (from 1) of the first ``needle`` after ``after``."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def card(text: str, card_id: str) -> int:
    """A card's number, from 1."""
    ids = [ln.removeprefix("  - id: ") for ln in text.splitlines() if ln.startswith("  - id: ")]
    return ids.index(card_id) + 1


def check(
    capsys: pytest.CaptureFixture[str], path: Path, language: str, *options: str
) -> tuple[int, list[str]]:
    code = main(["deck", "check", "--language", language, *options, str(path)])
    return code, capsys.readouterr().out.splitlines()


def test_an_unknown_question_type_is_named_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, ("      type: ranking", "      type: vote"))
    at = f"{path}:{line(text, 'type: vote')}: card {card(text, 'transport-buses-question')} "
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f"  {at}(id: transport-buses-question), field question.type: vote is not a question "
            "type; the types are single, multiple, scale, ranking, budget, text",
        ],
    )
    assert check(capsys, path, "da") == (
        1,
        [
            f"{path}: 1 fejl",
            f"  {at.replace('card', 'kort')}(id: transport-buses-question), feltet "
            "question.type: vote er ikke en spørgsmålstype. Typerne er single, multiple, "
            "scale, ranking, budget, text",
        ],
    )


def test_a_field_a_question_type_does_not_have_is_named_with_the_ones_it_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(
        tmp_path, ("      total: 100\n", "      total: 100\n      max_choices: 2\n")
    )
    at = f"{path}:{line(text, 'max_choices: 2', after='id: nature-budget')}"
    number = card(text, "nature-land-question")
    fields = "id, prompt, help, reveal, scope, options, type, total, unit, currency, package"
    assert check(capsys, path, "en")[1][1] == (
        f"  {at}: card {number} (id: nature-land-question), field question.max_choices: "
        f"max_choices is not a field of a question of type budget; it may have {fields}"
    )
    assert check(capsys, path, "sv")[1][1] == (
        f"  {at}: kort {number} (id: nature-land-question), fältet question.max_choices: "
        f"max_choices är inte ett fält i en fråga av typen budget. Fälten är {fields}"
    )


def test_every_problem_is_listed_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A repeated option id in one card used to hide a repeated card id in another.
    path, text = variant(
        tmp_path,
        ("  - id: heating-who\n", "  - id: heating\n"),
        ("        - id: new-forest\n", "        - id: rewet-valley\n"),
    )
    heating, repeated = card(text, "heating"), card(text, "heating") + 2
    nature = card(text, "nature-land-question")
    forest = line(text, "- id: rewet-valley", after="350 hektar torvmark")
    code, out = check(capsys, path, "en")
    assert code == 1
    assert out == [
        f"{path}: 2 problems",
        f"  {path}:{line(text, '  - id: heating', after='heating-evidence')}: card {repeated} "
        f"(id: heating), field id: the card id heating is used twice: card {heating} has it too",
        f"  {path}:{forest}: card {nature} (id: nature-land-question), option 2 "
        "(id: rewet-valley), field id: the option id rewet-valley is used twice: "
        "option 1 has it too",
    ]
    assert check(capsys, path, "da")[1][1:] == [
        f"  {path}:{line(text, '  - id: heating', after='heating-evidence')}: kort {repeated} "
        f"(id: heating), feltet id: id heating bruges af to kort: kort {heating} har det også",
        f"  {path}:{forest}: kort {nature} (id: nature-land-question), svarmulighed 2 "
        "(id: rewet-valley), feltet id: id rewet-valley bruges af to svarmuligheder: "
        "svarmulighed 1 har det også",
    ]


def test_a_country_code_in_languages_is_one_problem_with_the_language_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, ("languages: [en, da, sv]", "languages: [da, se, en]"))
    at = f"{path}:{line(text, 'languages: [da, se, en]')}"
    # Not a "no se" warning for every text of the deck.
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f"  {at}: field languages.2: se is not a language code; did you mean sv?",
        ],
    )
    assert check(capsys, path, "sv") == (
        1,
        [f"{path}: 1 fel", f"  {at}: fältet languages.2: se är inte en språkkod. Menade du sv?"],
    )


def test_a_text_in_a_mistyped_language_is_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(
        tmp_path,
        ('      sv: "Välkommen till Strategirummet"', '      se: "Välkommen till Strategirummet"'),
    )
    at = f"{path}:{line(text, 'se: ')}: "
    code, out = check(capsys, path, "en")
    assert code == 1 and out[:2] == [
        f"{path}: 1 problem, 1 warning",
        f"  {at}card 1 (id: welcome), field title.se: texts in se (1, the first one here), but se "
        "is not one of the deck's languages (en, da, sv); did you mean sv?",
    ]
    title = line(text, "title:", after="id: welcome")
    assert out[2] == (
        f"  {path}:{title}: warning: card 1 (id: welcome), field title: no sv; readers see en"
    )
    assert check(capsys, path, "da")[1][1] == (
        f"  {at}kort 1 (id: welcome), feltet title.se: tekster på se (1, den første her), men se "
        "er ikke et af kortsættets sprog (en, da, sv). Mente du sv?"
    )


def test_a_mistyped_language_is_found_beside_a_broken_card(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(
        tmp_path,
        ('      sv: "Välkommen till Strategirummet"', '      se: "Välkommen till Strategirummet"'),
        ("      total: 100\n", "      total: 100\n      max_choices: 2\n"),
    )
    code, out = check(capsys, path, "da")
    assert code == 1 and out[:2] == [
        f"{path}: 2 fejl",
        f"  {path}:{line(text, 'se: ')}: kort 1 (id: welcome), feltet title.se: tekster på se "
        "(1, den første her), men se er ikke et af kortsættets sprog (en, da, sv). Mente du sv?",
    ]
    assert out[2].startswith(
        f"  {path}:{line(text, 'max_choices: 2', after='id: nature-budget')}: kort "
    )


@pytest.mark.parametrize(
    ("link", "reasons_en", "reasons_sv"),
    [
        (
            "htps//www.boverket .se",
            "it must begin with https:// or http://; it has a space in it",
            "den ska börja med https:// eller http://; det finns ett mellanslag i den",
        ),
        (
            "https://boverket",
            "its host has no dot (like www.example.org)",
            "domänen saknar punkt (som i www.example.org)",
        ),
    ],
)
def test_source_links_are_checked_for_their_shape(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    link: str,
    reasons_en: str,
    reasons_sv: str,
) -> None:
    source = '          sv: "Illustrativ siffra baserad på danska Energistyrelsens'
    path, text = variant(tmp_path, (source, f'          sv: "Boverket, {link}; {source[17:]}'))
    number = card(text, "transport-buses-evidence")
    at = f"{path}:{line(text, 'Boverket, ')}"
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f"  {at}: card {number} (id: transport-buses-evidence), evidence 1, field source.sv: "
            f"{link} is not a web address: {reasons_en}",
        ],
    )
    assert check(capsys, path, "sv")[1][1] == (
        f"  {at}: kort {number} (id: transport-buses-evidence), faktaruta 1, fältet source.sv: "
        f"{link} är inte en webbadress: {reasons_sv}"
    )


def test_a_well_formed_source_link_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = '          sv: "Illustrativ siffra'
    path, _ = variant(
        tmp_path, (source, '          sv: "https://www.boverket.se/sv/, Illustrativ siffra')
    )
    assert check(capsys, path, "en")[0] == 0


def test_a_budget_option_without_a_figure_the_others_have_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without its cost the impact meter counts the option as free.
    path, text = variant(
        tmp_path, ("attributes: {co2_tonnes: 600, cost_mdkk: 1}", "attributes: {co2_tonnes: 600}")
    )
    at = f"{path}:{line(text, 'attributes: {co2_tonnes: 600}')}"
    number = card(text, "nature-land-question")
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f"  {at}: card {number} (id: nature-land-question), option 2 (id: new-forest), field "
            "attributes: the option has no cost_mdkk, so the impact meter counts 0 for it; give "
            "what the option costs and achieves with the whole budget (100), and the meter "
            "counts its share",
        ],
    )
    assert check(capsys, path, "da")[1][1] == (
        f"  {at}: kort {number} (id: nature-land-question), svarmulighed 2 (id: new-forest), "
        "feltet attributes: svarmuligheden har ingen cost_mdkk, så effektmåleren regner med 0 "
        "for den. Skriv, hvad den koster og giver, hvis den får hele budgettet (100), så regner "
        "måleren med dens andel"
    )


def test_a_budget_without_figures_in_a_deck_with_them_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The nature budget's four options without their figures.
    start = SAMPLE.index("      id: nature-budget")
    end = SAMPLE.index("  - id: nature-land-comment")
    budget = "".join(
        ln
        for ln in SAMPLE[start:end].splitlines(True)
        if not ln.startswith("          attributes:")
    )
    path, text = variant(tmp_path, (SAMPLE[start:end], budget))
    at = f"{path}:{line(text, 'options:', after='id: nature-budget')}"
    number = card(text, "nature-land-question")
    code, out = check(capsys, path, "en")
    assert (code, out) == (
        0,
        [
            f"{path}: ok (green-transition 1.0, 38 cards), 1 warning",
            f"  {at}: warning: card {number} (id: nature-land-question), field question.options: "
            "none of the options has figures (co2_tonnes, cost_mdkk), so the impact meter shows "
            "0 for this budget; give each option what it costs and achieves with the whole "
            "budget (100)",
        ],
    )
    assert check(capsys, path, "sv", "--strict") == (
        1,
        [
            f"{path}: 1 varning; med --strict räknas de som fel",
            f"  {at}: varning: kort {number} (id: nature-land-question), fältet "
            "question.options: inget av svarsalternativen har siffror (co2_tonnes, cost_mdkk), "
            "så effektmätaren visar 0 för budgeten. Skriv för varje svarsalternativ vad det "
            "kostar och ger om det får hela budgeten (100)",
        ],
    )


def test_broken_yaml_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = variant(tmp_path, ("  - id: break\n", "  - id: break\n   kind: [\n"))
    code, out = check(capsys, path, "da")
    assert code == 1 and out[0] == f"{path}: 1 fejl"
    assert out[1] == (
        f"  {path}:{line(text, 'kind: [')}: det her er ikke gyldig YAML: expected <block end>, "
        "but found '<block mapping start>'"
    )


def test_the_language_comes_from_the_environment(tmp_path: Path) -> None:
    path, _ = variant(tmp_path, ("      type: ranking", "      type: rank"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")} | {"LANG": "da_DK.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "strategyroom", "deck", "check", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"{path}: 1 fejl"
    assert "rank er ikke en spørgsmålstype" in result.stdout


def test_a_toml_deck_names_card_and_field_without_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "our-town.toml"
    path.write_text(
        'id = "our-town"\nversion = "1"\ntitle = ""\n'
        '[[cards]]\nid = "ask"\nkind = "question"\ntitle = "Q"\n'
        '[cards.question]\nid = "q"\ntype = "rank"\nprompt = "P"\n',
        encoding="utf-8",
    )
    # tomllib keeps no positions; a text given once is not shown as "title.*".
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 2 problems",
            f"  {path}: field title: the text is empty",
            f"  {path}: card 1 (id: ask), field question.type: rank is not a question type; "
            "did you mean ranking? The types are single, multiple, scale, ranking, budget, text",
        ],
    )
    assert check(capsys, path, "sv")[1][1] == f"  {path}: fältet title: texten är tom"


def test_a_key_written_twice_in_a_card_is_named_at_its_second_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(
        tmp_path,
        ('    body:\n      en: "Tonight', '    title: "Hello"\n    body:\n      en: "Tonight'),
    )
    first = line(text, "title:", "id: welcome")
    second = line(text, 'title: "Hello"')
    assert check(capsys, path, "en") == (
        1,
        [
            f"{path}: 1 problem",
            f"  {path}:{second}: card 1 (id: welcome), field title: title is written twice here, "
            f"at lines {first} and {second}: keep the one you mean and remove the other",
        ],
    )
    assert check(capsys, path, "da")[1][1] == (
        f"  {path}:{second}: kort 1 (id: welcome), feltet title: title står to gange her, "
        f"i linje {first} og {second}: behold den, du mener, og slet den anden"
    )
    assert check(capsys, path, "sv")[1][1] == (
        f"  {path}:{second}: kort 1 (id: welcome), fältet title: title står två gånger här, "
        f"på rad {first} och {second}: behåll den du menar och ta bort den andra"
    )
    # Loading it (the console's deck list, the import) refuses it the same way.
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert caught.value.problems == [
        f"card 1 (id: welcome), field title: title is written twice here, at lines {first} "
        f"and {second}: keep the one you mean and remove the other"
    ]


def test_keys_written_twice_are_found_at_the_top_in_lists_and_beside_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(
        tmp_path,
        ("cards:\n", 'version: "2.0"\ncards:\n'),
        ("      type: ranking", "      type: rank"),
        ("        - id: cycle-routes\n", "        - id: cycle-routes\n          id: cycle-paths\n"),
    )
    first_version, second_version = line(text, "version:"), line(text, 'version: "2.0"')
    first_id, second_id = line(text, "- id: cycle-routes"), line(text, "id: cycle-paths")
    code, out = check(capsys, path, "en")
    assert (code, out) == (
        1,
        [
            f"{path}: 3 problems",
            f"  {path}:{second_version}: field version: version is written twice here, at lines "
            f"{first_version} and {second_version}: keep the one you mean and remove the other",
            f"  {path}:{line(text, 'type: rank')}: card {card(text, 'transport-buses-question')} "
            "(id: transport-buses-question), field question.type: rank is not a question type; "
            "did you mean ranking? The types are single, multiple, scale, ranking, budget, text",
            f"  {path}:{second_id}: card {card(text, 'transport-buses-question')} "
            "(id: transport-buses-question), option 2 (id: cycle-paths), field id: id is written "
            f"twice here, at lines {first_id} and {second_id}: keep the one you mean and remove "
            "the other",
        ],
    )


def test_a_key_beside_a_yaml_merge_overrides_it_and_is_no_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "<<: *anchor" merges a mapping in; a key written beside it is meant to win.
    path, _ = variant(
        tmp_path,
        (
            "  - id: welcome\n    kind: intro\n    title:\n",
            "  - id: welcome\n    kind: intro\n    title: &welcome\n",
        ),
        (
            "  - id: how-it-works\n    kind: intro\n    title:\n",
            "  - id: how-it-works\n    kind: intro\n    title:\n      <<: *welcome\n"
            '      en: "How the evening works"\n    notes:\n',
        ),
    )
    code, out = check(capsys, path, "en")
    assert code == 0 and out[0].startswith(f"{path}: ok (green-transition 1.0, 38 cards)"), out
    deck = load_deck(path)
    assert deck.cards[1].title["en"] == "How the evening works"
    assert deck.cards[1].title["da"] == "Velkommen til Strategirummet"


def test_a_number_in_quotes_is_refused_and_told_to_be_written_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pydantic would read "100" as 100; a quoted number is a slip to point out.
    path, text = variant(
        tmp_path,
        ("      total: 100", '      total: "100"'),
        ("    timer: 480", "    timer: '480'"),
        ("cap_attribute: cost_mdkk, cap: 2}", 'cap_attribute: cost_mdkk, cap: "2.5"}'),
    )
    said = [
        f"card {card(text, 'energy-site-question')} (id: energy-site-question), field timer: "
        '"480" is in quotes, so it is a text, but timer takes a number: write 480 without quotes',
        f"card {card(text, 'nature-land-question')} (id: nature-land-question), field "
        'question.total: "100" is in quotes, so it is a text, but total takes a number: '
        "write 100 without quotes",
        f"card {card(text, 'town-centre-question')} (id: town-centre-question), field "
        'question.package.cap: "2.5" is in quotes, so it is a text, but cap takes a number: '
        "write 2.5 without quotes",
    ]
    lines = [line(text, "timer: '480'"), line(text, 'total: "100"'), line(text, 'cap: "2.5"')]
    assert check(capsys, path, "en") == (
        1,
        [f"{path}: 3 problems"]
        + [f"  {path}:{at}: {it}" for at, it in zip(lines, said, strict=True)],
    )
    assert check(capsys, path, "da")[1][2] == (
        f"  {path}:{lines[1]}: kort {card(text, 'nature-land-question')} "
        '(id: nature-land-question), feltet question.total: "100" står i anførselstegn og er '
        "derfor tekst, men total skal være et tal: skriv 100 uden anførselstegn"
    )
    assert check(capsys, path, "sv")[1][2] == (
        f"  {path}:{lines[1]}: kort {card(text, 'nature-land-question')} "
        '(id: nature-land-question), fältet question.total: "100" står inom citattecken och är '
        "därför text, men total ska vara ett tal: skriv 100 utan citattecken"
    )
    # Loading it says the same.
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert caught.value.problems == said


def test_a_whole_number_field_still_says_a_fraction_is_not_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, ("      total: 100", '      total: "100.5"'))
    assert check(capsys, path, "en")[1][1:] == [
        f"  {path}:{line(text, 'total: ')}: card {card(text, 'nature-land-question')} "
        "(id: nature-land-question), field question.total: 100.5 is not a whole number"
    ]
