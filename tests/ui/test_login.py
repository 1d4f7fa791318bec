"""Sign-in through the real app (AppTest): lockout after repeated failures, the same for names
that exist and names that do not, idle expiry, and a sign-out that forgets the session."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ui.lockout import LOCKOUT, MAX_FAILURES, LoginLimiter
from app.ui.state import HISTORY_KEY, LIMITER_KEY, SEEN_KEY, SERVICES_KEY, USER_KEY
from tests.fakes.chat import FakeChat
from tests.fakes.passwords import hashed
from tests.ui.conftest import ROOT

ServicesFactory = Callable[..., Services]


class FakeClock:
    def __init__(self) -> None:
        self.time = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


def _start(services: Services, limiter: LoginLimiter) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    at.session_state[LIMITER_KEY] = limiter  # one limiter: what the process shares
    return at.run()


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].set_value(name)
    at.text_input[1].set_value(password)
    return at.button[0].click().run()


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _users(services_factory: ServicesFactory, **settings: object) -> Services:
    return services_factory(
        FakeChat(reply="Employees get 25 days [1]."),
        auth_users={"alice": hashed("right")},
        **settings,
    )


def test_login_locks_a_name_after_repeated_failures_across_sessions(
    services_factory: ServicesFactory,
) -> None:
    clock = FakeClock()
    limiter = LoginLimiter(clock)
    services = _users(services_factory)
    at = _start(services, limiter)
    for _ in range(MAX_FAILURES - 1):
        at = _sign_in(at, "alice", "guess")
        assert _errors(at) == ["Wrong name or password."]
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]  # the delay grows with each failure
    other_tab = _start(services, limiter)  # a fresh session does not start afresh
    other_tab = _sign_in(other_tab, "ALICE", "guess")
    assert "Try again in 5 minutes" in _errors(other_tab)[0]
    at = _sign_in(at, "alice", "right")  # even the right password waits out the lockout
    assert not at.chat_input and "Too many failed sign-ins" in _errors(at)[0]
    clock.time += LOCKOUT + 1
    at = _sign_in(at, "alice", "right")
    assert at.chat_input and not at.error


def test_login_unknown_names_are_treated_like_real_ones(services_factory: ServicesFactory) -> None:
    services = _users(services_factory)
    seen: dict[str, list[str]] = {}
    for name in ("alice", "mallory"):
        clock = FakeClock()
        at = _start(services, LoginLimiter(clock))
        for _ in range(MAX_FAILURES + 1):
            at = _sign_in(at, name, "guess")
        seen[name] = [*_errors(at), *map(str, clock.slept)]
    assert seen["alice"] == seen["mallory"]
    assert "Too many failed sign-ins" in seen["mallory"][0]


def test_login_idle_session_must_sign_in_again(services_factory: ServicesFactory) -> None:
    clock = FakeClock()
    at = _start(_users(services_factory, auth_idle_minutes=30), LoginLimiter(clock))
    at = _sign_in(at, "alice", "right")
    clock.time += 29 * 60
    at = at.run()
    assert at.chat_input  # used within the half hour: still signed in
    clock.time += 31 * 60
    at = at.run()
    assert not at.chat_input
    assert [i.value for i in at.info] == ["Signed out after 30 minutes without activity."]


def test_login_sign_out_forgets_everything_of_the_session(
    services_factory: ServicesFactory,
) -> None:
    services = _users(services_factory)
    at = _start(services, LoginLimiter(FakeClock()))
    at = _sign_in(at, "alice", "right")
    at.chat_input[0].set_value("How many vacation days?").run()
    at.toggle(key="rag_show_query").set_value(True).run()
    assert at.session_state[HISTORY_KEY]
    at = at.button(key="rag_sign_out").click().run()
    assert not at.chat_input and at.text_input  # the sign-in form again
    for key in (USER_KEY, SEEN_KEY, HISTORY_KEY, "rag_collection", "rag_show_query", "rag_mode"):
        assert key not in at.session_state
    at = _sign_in(at, "alice", "right")  # the next person in this tab sees nothing before
    assert "25 days" not in " ".join(m.value for m in at.markdown)
    assert at.toggle(key="rag_show_query").value is False


def test_login_lockout_and_idle_texts_in_german(services_factory: ServicesFactory) -> None:
    clock = FakeClock()
    limiter = LoginLimiter(clock)
    services = _users(services_factory, auth_idle_minutes=30)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    at.session_state[LIMITER_KEY] = limiter
    at.context = {"locale": "de-DE"}
    at = at.run()
    for _ in range(MAX_FAILURES):
        at = _sign_in(at, "alice", "guess")
    assert _errors(at)[-1] == (
        "Name oder Passwort falsch. Zu viele fehlgeschlagene Anmeldungen. "
        "Versuchen Sie es in 5 Minuten erneut."
    )
    clock.time += LOCKOUT + 1
    at = _sign_in(at, "alice", "right")
    assert at.chat_input
    clock.time += 31 * 60
    at = at.run()
    assert [i.value for i in at.info] == ["Nach 30 Minuten ohne Aktivität abgemeldet."]
