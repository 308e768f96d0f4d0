"""The community's own words: templates per kind and language, safe and checked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Community, Event, Talk, Venue
from terrain.errors import ConfigError
from terrain.publishing import event_announcement, event_recaps
from terrain.store import Workspace
from terrain.templates import DEFAULTS, KINDS, PLACEHOLDERS, Template, Templates

PARIS = ZoneInfo("Europe/Paris")
NB, NNB = "\u00a0", "\u202f"
MEETUP = Event(
    id="ev-12",
    title="Vélo & ville #12",
    starts_at=datetime(2026, 3, 12, 19, 0, tzinfo=PARIS),
    ends_at=datetime(2026, 3, 12, 22, 0, tzinfo=PARIS),
    talks=[
        Talk(title="Les pistes du 7e", speaker="Ana", minutes=25),
        Talk(title="Réparer sa chambre à air", speaker="Karim", minutes=20),
    ],
)
ZINC = Venue(id="le-zinc", name="Le Zinc", kind="bar", address="3 rue Mercière, Lyon")


def test_a_french_announcement_reads_as_a_french_speaker_writes_it() -> None:
    recap = event_announcement(
        MEETUP,
        venue=ZINC,
        link="https://velo-lyon.example/events/ev-12",
        language="fr",
        seen_from=datetime(2026, 3, 5, 9, 0, tzinfo=PARIS),
    )
    assert recap.text.splitlines() == [
        f"Prochain meetup{NB}: Vélo & ville #12",
        f"Rendez-vous le jeudi 12 mars 2026 à 19{NB}h.",
        f"Lieu{NB}: Le Zinc, 3 rue Mercière, Lyon",
        f"Au programme{NB}: «{NB}Les pistes du 7e{NB}» par Ana et «{NB}Réparer sa chambre à "
        f"air{NB}» par Karim, puis place aux échanges.",
        f"Inscription{NB}: https://velo-lyon.example/events/ev-12",
    ]


def test_an_english_reminder_says_tomorrow_the_day_before() -> None:
    recap = event_announcement(
        MEETUP,
        kind="reminder",
        venue=ZINC,
        language="en",
        seen_from=datetime(2026, 3, 11, 19, 0, tzinfo=PARIS),
    )
    assert recap.text.splitlines() == [
        "Reminder: Vélo & ville #12 is tomorrow at 7\u00a0pm!",
        "Where: Le Zinc, 3 rue Mercière, Lyon",
        "On the programme: “Les pistes du 7e” by Ana and “Réparer sa chambre à air” by Karim.",
    ]  # no RSVP line: the community has no web page
    assert recap.key == "ev-12:reminder"


def test_the_recap_thanks_the_venue_with_the_french_contraction_and_the_partners() -> None:
    from terrain import Partner

    (summary,) = event_recaps(
        MEETUP, [], [Partner(id="p", name="Boulangerie Dupain")], venue=ZINC, language="fr"
    )
    assert summary.text.splitlines()[0] == f"Vélo & ville #12{NB}: merci à toutes et à tous{NNB}!"
    assert "Merci au Zinc de nous avoir accueillis." in summary.text
    assert summary.text.endswith(f"Un grand merci à Boulangerie Dupain pour leur soutien{NNB}!")


def test_a_line_whose_placeholder_has_nothing_to_say_is_left_out() -> None:
    bare = attrs_evolve_event(talks=())
    (summary,) = event_recaps(bare, [], language="en")
    assert summary.text.splitlines() == [
        "Vélo & ville #12: thank you all for coming!",
        "Meetup on Thursday 12 March 2026.",
    ]  # no programme, no venue, no partners: their lines are gone, not half-written


def attrs_evolve_event(**changes: object) -> Event:
    import attrs

    return attrs.evolve(MEETUP, **changes)  # type: ignore[arg-type]


def test_every_default_exists_in_both_languages_and_uses_only_known_placeholders() -> None:
    for language in ("fr", "en"):
        assert set(DEFAULTS[language]) == set(KINDS)
        for kind in KINDS:
            template = Template(kind, language, DEFAULTS[language][kind]).check()
            assert template.placeholders() <= PLACEHOLDERS[kind]


def test_an_unknown_placeholder_names_the_file_the_line_and_the_closest_one(
    tmp_path: Path,
) -> None:
    Workspace.init(tmp_path / "ws", community=Community(id="c", name="C", language="fr")).close()
    folder = tmp_path / "ws" / "templates"
    folder.mkdir()
    (folder / "recap.fr.txt").write_text("Merci !\nLe $date, au ${lieu}.\n", encoding="utf-8")
    with Workspace.open(tmp_path / "ws") as ws, pytest.raises(ConfigError) as caught:
        ws.templates()
    message = str(caught.value)
    assert f"{folder / 'recap.fr.txt'}, line 2: unknown placeholder $lieu" in message
    assert "$venue" in message  # what a recap template may use


def test_a_template_in_terrain_toml_is_read_and_its_line_is_named(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, community=Community(id="c", name="C", language="en")).close()
    toml = root / "terrain.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[templates]\nreminder = """\nTomorrow: $title!\nRSVP: $link"""\n'
        + 'recap = "Thanks for $titel"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"line \d+: unknown placeholder \$titel"):
        Workspace.open(root).close()
    toml.write_text(toml.read_text(encoding="utf-8").replace("$titel", "$title"), "utf-8")
    with Workspace.open(root) as ws:
        words = ws.templates()
    assert words.get("reminder").text == "Tomorrow: $title!\nRSVP: $link"
    assert words.render("reminder", {"title": "Vélo"}) == "Tomorrow: Vélo!"


def test_a_kind_in_both_a_file_and_terrain_toml_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, community=Community(id="c", name="C", language="fr")).close()
    toml = root / "terrain.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[templates]\nrecap = "Merci !"\n', "utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "recap.fr.txt").write_text("Merci à tous !", encoding="utf-8")
    with Workspace.open(root) as ws, pytest.raises(ConfigError, match="keep one of them"):
        ws.templates()


def test_a_lone_dollar_is_an_error_that_says_to_double_it() -> None:
    with pytest.raises(ConfigError, match=r"line 1: a lone '\$' at column 7: write \$\$"):
        Template("recap", "en", "Entry $ 5, $title").check()
    assert Template("recap", "en", "Entry $$5 at $title").render({"title": "X"}) == (
        "Entry $5 at X"
    )


names = st.sampled_from(sorted(PLACEHOLDERS["announcement"]))
words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="$\n\r"), max_size=12)


@given(
    lines=st.lists(
        st.lists(st.one_of(words, names.map(lambda n: f"${n}")), max_size=4), max_size=6
    ),
    values=st.dictionaries(names, st.text(max_size=20), max_size=10),
)
def test_rendering_replaces_every_placeholder_and_never_runs_anything(
    lines: list[list[str]], values: dict[str, str]
) -> None:
    """Whatever the text and the values: no ``$name`` is left, each line either goes
    whole with its values or is left out, and values are never read as templates."""
    text = "\n".join(" ".join(parts) for parts in lines)
    rendered = Template("announcement", "en", text).render(values)
    if not any("$" in v for v in values.values()):
        assert "$" not in rendered  # a value is never read as a template
    for parts in lines:
        used = [p[1:] for p in parts if p.startswith("$")]
        if any(not values.get(n, "").strip() for n in used):
            continue
        line = " ".join(values[p[1:]] if p.startswith("$") else p for p in parts)
        if line.strip():
            assert line.strip() in rendered


@given(name=st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True))
def test_any_placeholder_a_kind_does_not_know_is_refused_by_name(name: str) -> None:
    template = Template("photo-caption", "fr", f"Photos\n${name}")
    if name in PLACEHOLDERS["photo-caption"]:
        template.check()
    else:
        with pytest.raises(ConfigError, match=rf"line 2: unknown placeholder \${name}\b"):
            template.check()


def test_templates_follow_the_community_language() -> None:
    assert Templates("en").get("recap").text == DEFAULTS["en"]["recap"]
    assert Templates("fr").get("recap").source == "terrain's default recap (fr)"
    with pytest.raises(ConfigError, match="the kinds are announcement, reminder"):
        Templates("fr").get("newsletter")
