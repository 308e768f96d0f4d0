"""Hypothesis strategies that build valid instances of every terrain model.

For terrain's own tests and for plugin authors::

    from hypothesis import given
    from terrain.testing import strategies as tst

    @given(tst.posts(platform="mastodon"))
    def test_my_platform_accepts_any_post(post): ...

Every strategy yields values that pass the model's validators; shrinking
keeps them valid. Datetimes use fixed UTC offsets, so that values survive a
JSON round-trip unchanged (a ``ZoneInfo`` time in a DST fold does not compare
equal to its fixed-offset copy).
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from terrain._time import later
from terrain.community import ERASED_NAME, Community, Member
from terrain.consent import (
    Consent,
    ConsentEvent,
    ConsentRecorded,
    ConsentRenewed,
    ConsentStatus,
    ConsentWithdrawn,
    Evidence,
    EvidenceKind,
    Purpose,
    Scope,
    ScopeKind,
    StatusChange,
)
from terrain.content import Appearance, Content, ContentKind, MediaFile, PeopleReview, Region
from terrain.events import (
    Attendance,
    CostModel,
    Event,
    Money,
    Override,
    Rsvp,
    RsvpStatus,
    Series,
    Talk,
    Venue,
    VenueKind,
)
from terrain.partnerships import (
    Contribution,
    ContributionKind,
    Partner,
    PartnerKind,
    Partnership,
    PartnershipStatus,
    PipelineStep,
)
from terrain.posts import Capabilities, Mention, Post, PostMedia, Receipt
from terrain.projects import Milestone, Phase, Project, ProjectPhoto
from terrain.workshops import Idea, Vote, Workshop

__all__ = [
    "MODEL_STRATEGIES",
    "ZONES",
    "appearances",
    "attendances",
    "aware_datetimes",
    "capabilities",
    "communities",
    "consent_events",
    "consents",
    "contents",
    "contributions",
    "dates",
    "emails",
    "events",
    "evidence",
    "handles",
    "ids",
    "media_files",
    "members",
    "mentions",
    "milestones",
    "models",
    "overrides",
    "partners",
    "partnerships",
    "people_reviews",
    "platform_names",
    "posts",
    "project_photos",
    "projects",
    "receipts",
    "regions",
    "rsvps",
    "scopes",
    "series",
    "talks",
    "texts",
    "venues",
    "votes",
    "workshops",
]

_START = datetime(2020, 1, 1)
_END = datetime(2035, 12, 31)
_OFFSETS = [
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=2)),
    timezone(timedelta(hours=-5)),
]
#: IANA zones with and without daylight saving, in both hemispheres, with odd offsets.
ZONES = (
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
_TIMEZONES = st.sampled_from([*_OFFSETS, *(ZoneInfo(z) for z in ZONES)])


def ids() -> st.SearchStrategy[str]:
    """Valid ids: ``lea-martin``, ``ev-12``…"""
    return st.from_regex(r"[a-z0-9][a-z0-9-]{0,11}", fullmatch=True)


def texts(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank text, including accents and emoji."""
    alphabet = st.characters(
        blacklist_categories=("Cs", "Cc"), min_codepoint=32, max_codepoint=0x1F64F
    )
    return st.text(alphabet, min_size=min_size, max_size=max_size).filter(lambda s: s.strip() != "")


def handles() -> st.SearchStrategy[str]:
    """Platform handles, without ``@``."""
    return st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=15)


def emails() -> st.SearchStrategy[str]:
    """Email addresses as people type them (mixed case, dots, plus signs)."""
    local = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=12)
    domain = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
    tld = st.sampled_from(["fr", "org", "com", "net"])
    return st.builds(lambda a, b, c: f"{a}@{b}.{c}", local, domain, tld)


def platform_names() -> st.SearchStrategy[str]:
    """Platform names, built-in and not."""
    return st.sampled_from(["x", "facebook", "instagram", "outbox", "mastodon"])


def aware_datetimes(
    *, min_value: datetime = _START, max_value: datetime = _END
) -> st.SearchStrategy[datetime]:
    """Aware datetimes, whole seconds: with a fixed UTC offset, or in an IANA zone
    (:data:`ZONES`) at a wall time that exists, either of a repeated hour."""
    return st.datetimes(
        min_value=min_value, max_value=max_value, timezones=_TIMEZONES, allow_imaginary=False
    ).map(lambda d: d.replace(microsecond=0))


def dates() -> st.SearchStrategy[date]:
    """Dates between 2020 and 2035."""
    return st.dates(min_value=_START.date(), max_value=_END.date())


def communities() -> st.SearchStrategy[Community]:
    """Valid :class:`~terrain.Community` values."""
    return st.builds(
        Community,
        id=ids(),
        name=texts(),
        timezone=st.sampled_from(["UTC", "Europe/Paris", "America/Montreal"]),
        description=st.just("") | texts(),
    )


@st.composite
def members(draw: st.DrawFn, *, member_id: str | None = None) -> Member:
    """Valid :class:`~terrain.Member` values (minors always name a guardian; now and
    then the tombstone of a person erased at their request)."""
    mid = member_id if member_id is not None else draw(ids())
    if draw(st.integers(0, 19)) == 0:
        return Member(id=mid, display_name=ERASED_NAME, erased_at=draw(aware_datetimes()))
    is_minor = draw(st.booleans())
    guardian_ids = draw(st.lists(ids().filter(lambda g: g != mid), max_size=2, unique=True))
    if not is_minor:
        guardian_ids = []
    elif not guardian_ids:
        guardian_ids = [f"{mid}-parent"]
    return Member(
        id=mid,
        display_name=draw(texts()),
        handles=draw(st.dictionaries(platform_names(), handles(), max_size=3)),
        is_minor=is_minor,
        guardian_ids=guardian_ids,
        joined_on=draw(st.none() | dates()),
        tags=draw(st.frozensets(texts(max_size=12), max_size=3)),
        email=draw(st.none() | emails()),
        phone=draw(st.just("") | st.from_regex(r"\+?[0-9 ]{6,15}", fullmatch=True)),
    )


def money() -> st.SearchStrategy[Money]:
    """Amounts in EUR or CHF."""
    return st.builds(Money, cents=st.integers(0, 10**7), currency=st.sampled_from(["EUR", "CHF"]))


@st.composite
def venues(draw: st.DrawFn) -> Venue:
    """Valid :class:`~terrain.Venue` values (a rental fee always has its fee)."""
    cost_model = draw(st.sampled_from(CostModel))
    fee = draw(money()) if cost_model is CostModel.RENTAL_FEE else draw(st.none() | money())
    return Venue(
        id=draw(ids()),
        name=draw(texts()),
        kind=draw(st.sampled_from(VenueKind)),
        address=draw(st.just("") | texts()),
        capacity=draw(st.none() | st.integers(0, 500)),
        cost_model=cost_model,
        fee=fee,
    )


def talks() -> st.SearchStrategy[Talk]:
    """Valid :class:`~terrain.Talk` values."""
    return st.builds(
        Talk,
        title=texts(),
        speaker=texts(),
        minutes=st.integers(1, 60),
        qa_minutes=st.integers(0, 20),
        speaker_id=st.none() | ids(),
    )


@st.composite
def events(draw: st.DrawFn, *, event_id: str | None = None) -> Event:
    """Valid :class:`~terrain.Event` values: the program fits in the evening."""
    starts_at = draw(aware_datetimes())
    event_talks = draw(st.lists(talks(), max_size=3))
    networking = draw(st.integers(0, 180))
    program = sum(t.minutes + t.qa_minutes for t in event_talks) + networking
    length = program + draw(st.integers(1, 120))
    return Event(
        id=event_id if event_id is not None else draw(ids()),
        title=draw(texts()),
        starts_at=starts_at,
        ends_at=later(starts_at, timedelta(minutes=length)),
        venue_id=draw(st.none() | ids()),
        capacity=draw(st.none() | st.integers(0, 300)),
        talks=event_talks,
        networking_minutes=networking,
        series_id=draw(st.none() | ids()),
        description=draw(st.just("") | texts()),
        sequence=draw(st.integers(0, 5)),
    )


#: Recurrence rules the series strategy picks from (every one parses).
RULES = (
    "FREQ=WEEKLY;COUNT=4",
    "FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
    "FREQ=MONTHLY;BYMONTHDAY=5",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20351231T235959Z",
)


def overrides() -> st.SearchStrategy[Override]:
    """Valid :class:`~terrain.events.Override` values (a cancellation or a change)."""
    return st.builds(
        Override,
        on=dates(),
        cancelled=st.booleans(),
        venue_id=st.none() | ids(),
        starts_at=st.none() | aware_datetimes(),
        title=st.none() | texts(),
        capacity=st.none() | st.integers(0, 300),
        note=st.just("") | texts(),
        sequence=st.integers(0, 5),
    )


@st.composite
def series(draw: st.DrawFn) -> Series:
    """Valid :class:`~terrain.events.Series` values (overrides on distinct dates)."""
    return Series(
        id=draw(ids()),
        title=draw(texts()),
        rule=draw(st.sampled_from(RULES)),
        first_starts_at=draw(aware_datetimes()),
        minutes=draw(st.integers(30, 300)),
        venue_id=draw(st.none() | ids()),
        capacity=draw(st.none() | st.integers(0, 300)),
        talks=draw(st.lists(talks(), max_size=2)),
        networking_minutes=draw(st.integers(0, 120)),
        overrides=draw(st.lists(overrides(), max_size=3, unique_by=lambda o: o.on)),
        sequence=draw(st.integers(0, 5)),
    )


def rsvps() -> st.SearchStrategy[Rsvp]:
    """Valid :class:`~terrain.events.Rsvp` values, whatever their status."""
    return st.builds(
        Rsvp,
        member_id=ids(),
        status=st.sampled_from(RsvpStatus),
        at=aware_datetimes(),
        changed_at=st.none() | aware_datetimes(),
    )


def attendances() -> st.SearchStrategy[Attendance]:
    """Valid :class:`~terrain.events.Attendance` values (one answer per member)."""
    return st.builds(
        Attendance,
        event_id=ids(),
        capacity=st.none() | st.integers(0, 300),
        rsvps=st.lists(rsvps(), max_size=5, unique_by=lambda r: r.member_id),
    )


def contributions() -> st.SearchStrategy[Contribution]:
    """Valid :class:`~terrain.partnerships.Contribution` values."""
    return st.builds(
        Contribution,
        id=ids(),
        partner_id=ids(),
        event_id=ids(),
        kind=st.sampled_from(ContributionKind),
        value=money(),
        on=dates(),
        description=st.just("") | texts(),
    )


def votes() -> st.SearchStrategy[Vote]:
    """Valid :class:`~terrain.workshops.Vote` values."""
    return st.builds(
        Vote, workshop_id=ids(), idea_id=ids(), member_id=ids(), dots=st.integers(1, 5)
    )


def project_photos() -> st.SearchStrategy[ProjectPhoto]:
    """Valid :class:`~terrain.projects.ProjectPhoto` values."""
    return st.builds(
        ProjectPhoto,
        content_id=ids(),
        media_id=ids(),
        key=ids().map(lambda i: f"photos/projects/{i}.jpg"),
        taken_on=dates(),
        phase=st.sampled_from(Phase),
        viewpoint=st.none() | texts(),
        alt_text=st.just("") | texts(),
    )


def partners() -> st.SearchStrategy[Partner]:
    """Valid :class:`~terrain.Partner` values."""
    return st.builds(
        Partner,
        id=ids(),
        name=texts(),
        kind=st.sampled_from(PartnerKind),
        contact=st.just("") | texts(),
        handles=st.dictionaries(platform_names(), handles(), max_size=2),
    )


@st.composite
def partnerships(draw: st.DrawFn) -> Partnership:
    """Valid :class:`~terrain.Partnership` values (history oldest first)."""
    days = sorted(draw(st.lists(dates(), min_size=1, max_size=5)))
    history = [
        PipelineStep(status=draw(st.sampled_from(PartnershipStatus)), on=day) for day in days
    ]
    return Partnership(
        id=draw(ids()),
        partner_id=draw(ids()),
        history=history,
        contributions=draw(st.frozensets(st.sampled_from(ContributionKind))),
    )


@st.composite
def regions(draw: st.DrawFn) -> Region:
    """Valid :class:`~terrain.content.Region` values: rectangles inside the picture,
    from a pixel-sized one to the whole picture."""
    fraction = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)
    left, top = min(draw(fraction), 0.99), min(draw(fraction), 0.99)
    width = draw(st.floats(1e-4, 1.0)) * (1.0 - left)
    height = draw(st.floats(1e-4, 1.0)) * (1.0 - top)
    return Region(left, top, max(width, 1e-6), max(height, 1e-6))


def media_files(*, media_id: str | None = None) -> st.SearchStrategy[MediaFile]:
    """Valid :class:`~terrain.MediaFile` values (some with the faces found in them)."""
    return st.builds(
        MediaFile,
        id=st.just(media_id) if media_id is not None else ids(),
        key=ids().map(lambda k: f"media/{k}.jpg"),
        media_type=st.sampled_from(["image/jpeg", "image/png", "video/mp4"]),
        size=st.integers(0, 10**8),
        checksum=st.binary(min_size=32, max_size=32).map(bytes.hex),
        alt_text=st.just("") | texts(),
        width=st.none() | st.integers(1, 8000),
        height=st.none() | st.integers(1, 8000),
        faces=st.lists(regions(), max_size=3),
    )


@st.composite
def _appearance(
    draw: st.DrawFn, people: st.SearchStrategy[str], media: st.SearchStrategy[str | None]
) -> Appearance:
    media_id = draw(media)
    region = None if media_id is None else draw(st.none() | regions())
    return Appearance(member_id=draw(people), media_id=media_id, reviewed=draw(st.booleans()),
                      region=region)


def appearances(media_ids: list[str] | None = None) -> st.SearchStrategy[Appearance]:
    """Valid :class:`~terrain.Appearance` values, in one of ``media_ids`` (some with
    their region in it) or the whole."""
    media = st.none() if not media_ids else st.none() | st.sampled_from(media_ids)
    return _appearance(ids(), media)


@st.composite
def contents(
    draw: st.DrawFn, *, member_ids: list[str] | None = None, content_id: str | None = None
) -> Content:
    """Valid :class:`~terrain.Content` values.

    With ``member_ids``, the people identified are drawn from that list (to
    build contents whose people have consent records in a ledger).
    """
    media = draw(st.lists(media_files(), max_size=3, unique_by=lambda m: m.id))
    media_ids = [m.id for m in media]
    people = st.sampled_from(member_ids) if member_ids else ids()
    appearance_list = draw(
        st.lists(
            _appearance(people, st.none() | st.sampled_from(media_ids) if media_ids else st.none()),
            max_size=4,
            unique_by=lambda a: (a.member_id, a.media_id),
        )
    )
    link = draw(st.sampled_from(["event", "project", "workshop", None]))
    link_id = draw(ids())
    return Content(
        id=content_id if content_id is not None else draw(ids()),
        kind=draw(st.sampled_from(ContentKind)),
        created_at=draw(aware_datetimes()),
        title=draw(st.just("") | texts()),
        caption=draw(st.just("") | texts()),
        media=media,
        appearances=appearance_list,
        people_reviewed=draw(st.booleans()),
        event_id=link_id if link == "event" else None,
        project_id=link_id if link == "project" else None,
        workshop_id=link_id if link == "workshop" else None,
        author_id=draw(st.none() | people),
        reviews=draw(st.lists(people_reviews(), max_size=2)),
    )


@st.composite
def people_reviews(draw: st.DrawFn) -> PeopleReview:
    """Valid :class:`~terrain.content.PeopleReview` values (who confirmed whom, when)."""
    return PeopleReview(
        by=draw(texts()),
        at=draw(aware_datetimes()),
        people=draw(st.lists(st.tuples(ids(), st.none() | ids()), max_size=3)),
    )


@st.composite
def evidence(draw: st.DrawFn) -> Evidence:
    """Valid :class:`~terrain.consent.Evidence` of every kind."""
    kind = draw(st.sampled_from(EvidenceKind))
    if kind is EvidenceKind.SIGNED_FORM:
        return Evidence(kind=kind, file_key=draw(ids().map(lambda k: f"forms/{k}.pdf")))
    if kind is EvidenceKind.CHECKBOX:
        return Evidence(kind=kind, text=draw(texts()), version=draw(st.sampled_from(["v1", "2"])))
    if kind is EvidenceKind.WEB_FORM:
        return Evidence(kind=kind, text=draw(texts()), version=draw(st.sampled_from(
            ["form/2/0123456789ab", "v1"])), link=draw(ids()))
    return Evidence(kind=kind, witness=draw(texts()))


@st.composite
def scopes(draw: st.DrawFn) -> Scope:
    """Valid :class:`~terrain.consent.Scope` values."""
    kind = draw(st.sampled_from(ScopeKind))
    return Scope(kind=kind, ref=None if kind is ScopeKind.ALL else draw(ids()))


@st.composite
def consents(
    draw: st.DrawFn, *, subject_id: str | None = None, consent_id: str | None = None
) -> Consent:
    """Valid :class:`~terrain.Consent` records with a consistent history."""
    valid_from = draw(aware_datetimes(max_value=datetime(2030, 1, 1)))
    until = draw(st.none() | st.integers(1, 3 * 365))
    first = draw(st.sampled_from([ConsentStatus.GIVEN, ConsentStatus.REFUSED]))
    history = [StatusChange(status=first, at=valid_from)]
    if first is ConsentStatus.GIVEN and draw(st.booleans()):
        history.append(
            StatusChange(
                status=ConsentStatus.WITHDRAWN,
                at=later(valid_from, timedelta(days=draw(st.integers(0, 400)))),
            )
        )
    sid = subject_id if subject_id is not None else draw(ids())
    return Consent(
        id=consent_id if consent_id is not None else draw(ids()),
        subject_id=sid,
        given_by=draw(st.lists(ids(), min_size=1, max_size=2, unique=True)),
        purposes=draw(st.frozensets(st.sampled_from(Purpose), min_size=1)),
        valid_from=valid_from,
        evidence=draw(evidence()),
        history=history,
        platforms=draw(st.none() | st.frozensets(platform_names(), min_size=1)),
        scope=draw(scopes()),
        valid_until=None if until is None else later(valid_from, timedelta(days=until)),
        subject_assent=draw(st.none() | st.booleans()),
    )


@st.composite
def consent_events(draw: st.DrawFn) -> ConsentEvent:
    """Valid consent events of every kind: a record given or refused, a withdrawal
    (of everything, of a part, or of one record), a renewal."""
    kind = draw(st.sampled_from(["recorded", "withdrawn", "renewed"]))
    at = draw(aware_datetimes(max_value=datetime(2030, 1, 1)))
    recorded_at = draw(st.none() | aware_datetimes())
    if kind == "recorded":
        consent = draw(consents())
        first = attrs.evolve(consent.history[0], recorded_at=recorded_at)
        return ConsentRecorded(consent=attrs.evolve(consent, history=(first,)))
    if kind == "renewed":
        return ConsentRenewed(
            consent_id=draw(ids()), subject_id=draw(ids()), at=at,
            valid_until=at + timedelta(days=draw(st.integers(1, 400))), recorded_at=recorded_at,
        )
    if draw(st.booleans()):
        return ConsentWithdrawn(subject_id=draw(ids()), at=at, consent_id=draw(ids()))
    return ConsentWithdrawn(
        subject_id=draw(ids()),
        at=at,
        purposes=draw(st.none() | st.frozensets(st.sampled_from(Purpose), min_size=1)),
        platforms=draw(st.none() | st.frozensets(platform_names(), min_size=1)),
        scope=draw(st.none() | scopes()),
        note=draw(st.just("") | texts()),
        recorded_at=recorded_at,
    )


def milestones() -> st.SearchStrategy[Milestone]:
    """Valid :class:`~terrain.Milestone` values."""
    return st.builds(
        Milestone,
        id=ids(),
        title=texts(),
        due_on=st.none() | dates(),
        reached_on=st.none() | dates(),
    )


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """Valid :class:`~terrain.Project` values."""
    started_on = draw(dates())
    ends_on = draw(st.none() | st.integers(0, 1000).map(lambda d: started_on + timedelta(days=d)))
    return Project(
        id=draw(ids()),
        title=draw(texts()),
        started_on=started_on,
        ends_on=ends_on,
        phase=draw(st.sampled_from(Phase)),
        location=draw(st.just("") | texts()),
        milestones=draw(st.lists(milestones(), max_size=3, unique_by=lambda m: m.id)),
    )


@st.composite
def workshops(draw: st.DrawFn) -> Workshop:
    """Valid :class:`~terrain.Workshop` values (ideas come from participants)."""
    participants = draw(st.lists(ids(), min_size=1, max_size=6, unique=True))
    ideas = draw(
        st.lists(
            st.builds(
                Idea,
                id=ids(),
                author_id=st.sampled_from(participants),
                text=texts(),
                content_ids=st.lists(ids(), max_size=2),
            ),
            max_size=4,
            unique_by=lambda i: i.id,
        )
    )
    return Workshop(
        id=draw(ids()),
        title=draw(texts()),
        brief=draw(texts()),
        starts_at=draw(aware_datetimes()),
        participant_ids=participants,
        ideas=ideas,
        outcome=draw(st.just("") | texts()),
        dots=draw(st.none() | st.integers(min_value=1, max_value=10)),
    )


@st.composite
def mentions(draw: st.DrawFn) -> Mention:
    """Valid :class:`~terrain.Mention` values (a member or a partner)."""
    if draw(st.booleans()):
        return Mention(handle=draw(handles()), member_id=draw(ids()))
    return Mention(handle=draw(handles()), partner_id=draw(ids()))


def post_media() -> st.SearchStrategy[PostMedia]:
    """Valid :class:`~terrain.PostMedia` values (some with regions to blur)."""
    return st.builds(
        PostMedia,
        key=ids().map(lambda k: f"media/{k}.jpg"),
        media_type=st.just("image/jpeg"),
        alt_text=texts(),
        content_id=st.none() | ids(),
        media_id=st.none() | ids(),
        blur=st.lists(regions(), max_size=2),
    )


@st.composite
def posts(draw: st.DrawFn, *, platform: str | None = None, max_text: int = 200) -> Post:
    """Valid :class:`~terrain.Post` values (text or media, never neither)."""
    media = draw(st.lists(post_media(), max_size=4, unique_by=lambda m: m.key))
    text = draw(texts(max_size=max_text) if not media else st.just("") | texts(max_size=max_text))
    return Post(
        id=draw(ids()),
        platform=platform if platform is not None else draw(platform_names()),
        text=text,
        media=media,
        mentions=draw(st.lists(mentions(), max_size=3, unique_by=lambda m: m.handle.casefold())),
        link=draw(st.none() | ids().map(lambda p: f"https://example.org/{p}")),
        thread=draw(st.lists(texts(), max_size=2)),
        content_ids=draw(st.lists(ids(), max_size=3, unique=True)),
        event_id=draw(st.none() | ids()),
    )


def receipts() -> st.SearchStrategy[Receipt]:
    """Valid :class:`~terrain.Receipt` values."""
    return st.builds(
        Receipt,
        platform=platform_names(),
        post_id=ids(),
        remote_id=st.from_regex(r"[0-9]{1,19}", fullmatch=True),
        published_at=aware_datetimes(),
        url=st.none() | ids().map(lambda p: f"https://example.org/p/{p}"),
        part_ids=st.lists(st.from_regex(r"[0-9]{1,19}", fullmatch=True), max_size=3),
    )


def capabilities() -> st.SearchStrategy[Capabilities]:
    """Valid :class:`~terrain.Capabilities` values."""
    return st.builds(
        Capabilities,
        max_text_length=st.integers(1, 10000),
        max_media=st.integers(0, 10),
        media_types=st.frozensets(st.sampled_from(["image/jpeg", "image/png", "video/mp4"])),
        max_media_bytes=st.none() | st.integers(1, 10**9),
        alt_text=st.booleans(),
        max_alt_text_length=st.none() | st.integers(1, 5000),
        mentions=st.booleans(),
        threads=st.booleans(),
        delete=st.booleans(),
        url_length=st.none() | st.integers(1, 50),
        requires_media=st.booleans(),
        text_counting=st.sampled_from(["chars", "graphemes", "mastodon", "twitter"]),
    )


#: Every model and its strategy, for tests that must cover them all.
MODEL_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    Community: communities(),
    Member: members(),
    Venue: venues(),
    Talk: talks(),
    Event: events(),
    Partner: partners(),
    Partnership: partnerships(),
    MediaFile: media_files(),
    Appearance: appearances(["m-1", "m-2"]),
    Region: regions(),
    Content: contents(),
    Consent: consents(),
    ConsentRecorded: consent_events().filter(lambda e: isinstance(e, ConsentRecorded)),
    ConsentWithdrawn: consent_events().filter(lambda e: isinstance(e, ConsentWithdrawn)),
    ConsentRenewed: consent_events().filter(lambda e: isinstance(e, ConsentRenewed)),
    PeopleReview: people_reviews(),
    Milestone: milestones(),
    Project: projects(),
    Workshop: workshops(),
    Mention: mentions(),
    PostMedia: post_media(),
    Post: posts(),
    Receipt: receipts(),
    Capabilities: capabilities(),
    Evidence: evidence(),
    Scope: scopes(),
    Money: money(),
    Series: series(),
    Override: overrides(),
    Rsvp: rsvps(),
    Attendance: attendances(),
    Contribution: contributions(),
    Vote: votes(),
    ProjectPhoto: project_photos(),
}


def models() -> st.SearchStrategy[Any]:
    """Any model instance, of any class in :data:`MODEL_STRATEGIES`."""
    return st.one_of(*MODEL_STRATEGIES.values())
