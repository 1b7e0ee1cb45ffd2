"""Contacts: a documented sample of the calls, e-mails and chats the agents handle.

The organisation handles per agent and year what the reference customer handles
(4.1 M calls, 1.8 M e-mails, 0.4 M chats for 1,100 agents); ``DemoSpec.sample_rate`` of them
is stored (1 in 25 at scale 1). Channel volumes per month are fixed to those proportions;
teams get work by their department's channel affinity and size, agents by FTE. Contacts fall
in office hours (Amsterdam time, stored in UTC), less on Saturdays, hardly on Sundays.
A contact is resolved with probability 0.76 plus ``authority_to_resolution`` per point of the
team's "authority" driver, less 0.15 when transferred; half of the unresolved contacts bring
the same customer back within a week (so first-contact resolution can be measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from keizer.demo.climate import AUTHORITY, DRIVER_MEANS, Climate
from keizer.demo.organisation import DEPARTMENTS, Organisation
from keizer.demo.people import People
from keizer.demo.phrases import TOPIC_SHARES, TOPICS
from keizer.demo.spec import (
    CHANNELS,
    REFERENCE_AGENTS,
    REFERENCE_VOLUMES,
    DemoSpec,
    numbered_keys,
    stream,
)

HOURS = np.arange(8, 20)
HOUR_WEIGHTS = np.array([1.2, 1.5, 1.5, 1.3, 0.9, 1.1, 1.2, 1.1, 0.9, 0.5, 0.3, 0.2])
WEEKDAY_WEIGHTS = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.1, 0.03])  # Monday first
TRANSFER_RATE = {"phone": 0.12, "email": 0.04, "chat": 0.07}
BASE_RESOLUTION = 0.76
#: Customers are drawn from a population this many times the stored contacts (at most 3 M).
CUSTOMER_POOL_FACTOR = 0.7
MAX_CUSTOMERS = 3_000_000
MICROS = 1_000_000


@dataclass(frozen=True)
class Contacts:
    """The contacts of one month, in time order."""

    month: int
    key: pa.Array  # text: demo:int:<yyyymm>:<number in the month>
    channel: np.ndarray  # str
    agent: np.ndarray  # person index
    team: np.ndarray  # team index
    customer: np.ndarray  # customer number
    started_us: np.ndarray  # microseconds since 1970, UTC
    talk_s: np.ndarray
    hold_s: np.ndarray  # NaN for e-mail
    after_call_s: np.ndarray
    transferred: np.ndarray
    resolved: np.ndarray
    topic: np.ndarray  # index into TOPICS
    queue: np.ndarray  # str

    def __len__(self) -> int:
        return len(self.key)


def expected_contacts(spec: DemoSpec, people: People) -> float:
    """About how many contacts the run stores (all months)."""
    agent = (people.role == "agent")[:, None]
    agent_months = float((people.exposure(spec.calendar.bounds) * agent).sum())
    yearly = sum(REFERENCE_VOLUMES.values()) / REFERENCE_AGENTS
    return agent_months * yearly / 12 * spec.sample_rate


def customer_pool(spec: DemoSpec, people: People) -> int:
    """How many distinct customers the contacts are drawn from."""
    expected = expected_contacts(spec, people)
    return int(min(MAX_CUSTOMERS, max(1000, expected * CUSTOMER_POOL_FACTOR)))


def build_contacts(
    spec: DemoSpec,
    org: Organisation,
    people: People,
    climate: Climate,
    month: int,
    customers: int,
) -> Contacts:
    """The stored contacts of ``month``."""
    rng = stream(spec.seed, "contacts", month)
    cal = spec.calendar
    agent = people.role == "agent"
    exposure = climate.exposure[:, month] * agent
    team_agents = np.bincount(people.team[agent], weights=exposure[agent], minlength=org.teams)
    month_share = cal.days_in(month) / (365.25 / 12)
    volumes = {
        c: round(
            REFERENCE_VOLUMES[c] / 12 / REFERENCE_AGENTS * team_agents.sum() * month_share
            * spec.sample_rate
        )
        for c in CHANNELS
    }  # fmt: skip
    affinity = org.channel_weight / org.team_size[:, None] * team_agents[:, None]
    channel_parts, team_parts = [], []
    for ci, c in enumerate(CHANNELS):
        share = affinity[:, ci] / affinity[:, ci].sum()
        counts = rng.multinomial(volumes[c], share)
        channel_parts.append(np.full(volumes[c], ci))
        team_parts.append(np.repeat(np.arange(org.teams), counts))
    channel_index = np.concatenate(channel_parts)
    team = np.concatenate(team_parts)
    n = team.size

    agent_of = _agents_by_team(rng, people, exposure * people.fte, team, org.teams)
    started = _start_times(rng, cal.bounds[month], cal.days_in(month), n)
    channel = np.array(CHANNELS, dtype=object)[channel_index]
    talk = np.select(
        [channel_index == 0, channel_index == 1],
        [rng.lognormal(np.log(290), 0.6, n), rng.lognormal(np.log(400), 0.6, n)],
        default=rng.lognormal(np.log(540), 0.5, n),
    )
    hold = np.where(rng.random(n) < 0.3, rng.lognormal(np.log(60), 0.7, n), 0.0)
    hold = np.where(channel_index == 1, np.nan, np.where(channel_index == 2, 0.0, hold))
    after_call = np.select(
        [channel_index == 0, channel_index == 1],
        [rng.lognormal(np.log(55), 0.6, n), rng.lognormal(np.log(30), 0.5, n)],
        default=rng.lognormal(np.log(35), 0.5, n),
    )
    transfer_rate = np.array([TRANSFER_RATE[c] for c in CHANNELS])[channel_index]
    transferred = rng.random(n) < transfer_rate
    authority = climate.team_drivers[team, month, AUTHORITY] - DRIVER_MEANS[AUTHORITY]
    p_resolved = np.clip(
        BASE_RESOLUTION + spec.effects.authority_to_resolution * authority - 0.15 * transferred,
        0.05, 0.98,
    )  # fmt: skip
    resolved = rng.random(n) < p_resolved
    topic = rng.choice(len(TOPICS), size=n, p=TOPIC_SHARES)

    order = np.argsort(started, kind="stable")
    customer = rng.integers(0, customers, size=n)[order]
    started, resolved = started[order], resolved[order]
    customer = _repeat_contacts(rng, customer, started, resolved)
    departments = np.array([d for d, *_ in DEPARTMENTS] * (len(org.department_keys) // 3),
                           dtype=object)  # fmt: skip
    queue = (channel + "-" + departments[org.team_department[team]])[order]
    keys = numbered_keys(f"demo:int:{cal.label(month).replace('-', '')}:", np.arange(n))
    return Contacts(
        month=month, key=keys, channel=channel[order], agent=agent_of[order], team=team[order],
        customer=customer, started_us=started, talk_s=np.round(talk[order], 1),
        hold_s=np.round(hold[order], 1), after_call_s=np.round(after_call[order], 1),
        transferred=transferred[order], resolved=resolved, topic=topic[order], queue=queue,
    )  # fmt: skip


def _agents_by_team(
    rng: np.random.Generator, people: People, weight: np.ndarray, team: np.ndarray, teams: int
) -> np.ndarray:
    """An agent of each contact's team, drawn by weight (vectorised over all contacts)."""
    candidates = np.flatnonzero(weight > 0)
    candidates = candidates[np.argsort(people.team[candidates], kind="stable")]
    cumulative = np.cumsum(weight[candidates])
    team_total = np.bincount(people.team[candidates], weights=weight[candidates], minlength=teams)
    team_offset = np.concatenate([[0.0], np.cumsum(team_total)[:-1]])
    target = team_offset[team] + rng.random(team.size) * team_total[team]
    found = np.minimum(np.searchsorted(cumulative, target, side="right"), candidates.size - 1)
    chosen: np.ndarray = candidates[found]
    return chosen


def _start_times(rng: np.random.Generator, first_day: int, days: int, n: int) -> np.ndarray:
    """UTC microseconds of contacts in office hours, local (Amsterdam) time."""
    day_numbers = first_day + np.arange(days)
    weekday = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday
    weights = WEEKDAY_WEIGHTS[weekday]
    day = rng.choice(day_numbers, size=n, p=weights / weights.sum())
    hour = rng.choice(HOURS, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    seconds = rng.integers(0, 3600, size=n)
    offset = np.array([_utc_offset_s(int(d)) for d in day_numbers])[day - first_day]
    local = day * 86_400 + hour * 3600 + seconds
    micros: np.ndarray = ((local - offset) * MICROS).astype(np.int64)
    return micros


@cache
def _utc_offset_s(day: int) -> int:
    noon = datetime.fromtimestamp(day * 86_400 + 43_200, tz=UTC)
    offset = noon.astimezone(ZoneInfo("Europe/Amsterdam")).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _repeat_contacts(
    rng: np.random.Generator, customer: np.ndarray, started: np.ndarray, resolved: np.ndarray
) -> np.ndarray:
    """Half of the unresolved contacts' customers contact again within one to seven days."""
    customer = customer.copy()
    source = np.flatnonzero(~resolved & (rng.random(resolved.size) < 0.5))
    later = started[source] + (rng.uniform(1, 7, source.size) * 86_400 * MICROS).astype(np.int64)
    target = np.searchsorted(started, later)
    inside = target < started.size
    customer[target[inside]] = customer[source[inside]]
    return customer
