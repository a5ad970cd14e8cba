"""Launch-data verification for VK, Telegram and MAX mini-apps: vectors, tampering, freshness."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openindustry.accounts.providers.base import (
    Expired,
    InvalidSignature,
    Provider,
    VerifiedIdentity,
)
from openindustry.accounts.providers.max import verify_max
from openindustry.accounts.providers.telegram import verify_telegram
from openindustry.accounts.providers.vk import sign_vk_launch_params, verify_vk
from openindustry.accounts.providers.webapp import (
    sign_webapp_data,
    verify_webapp_data,
    webapp_hash,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
DAY = timedelta(days=1)

VK_SECRET = "wvl68m4dR1UpLrVRli"
VK_QUERY = (
    "vk_user_id=494075&vk_app_id=6736218&vk_is_app_user=1&vk_are_notifications_enabled=1"
    "&vk_language=ru&vk_access_token_settings=&vk_platform=android"
)
VK_RAW = VK_QUERY + "&sign=htQFduJpLxz7ribXRZpDFUH-XEUhC9rBPTJkjUFEkRA"

TG_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
TG_RAW = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22"
    "Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22"
    "language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648"
    "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
)

Verify = Callable[..., VerifiedIdentity]
WEBAPP: list[Verify] = [verify_telegram, verify_max]


def vk_params(**over: str) -> dict[str, str]:
    params = {"vk_user_id": "42", "vk_app_id": "7", "vk_platform": "mobile_web", "vk_ts": str(TS)}
    params.update({"vk_language": "ru"}, **over)
    return params


def tg_fields(user: object = None, **over: str) -> dict[str, str]:
    if user is None:
        user = {"id": 1001, "first_name": "Иван", "last_name": "Петров", "language_code": "ru"}
    fields = {"query_id": "Q1", "user": json.dumps(user, ensure_ascii=False)}
    fields.update({"auth_date": str(TS)}, **over)
    return fields


def vk(raw: str, max_age: timedelta | None = DAY) -> VerifiedIdentity:
    return verify_vk(raw, secret=VK_SECRET, now=NOW, max_age=max_age)


def webapp(verify: Verify, raw: str, max_age: timedelta | None = DAY) -> VerifiedIdentity:
    return verify(raw, bot_token=TG_TOKEN, now=NOW, max_age=max_age)


def flip(raw: str, old: str, new: str) -> str:
    assert old in raw
    return raw.replace(old, new, 1)


# --- VK ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [VK_RAW, "?" + VK_RAW, "https://example.com/app/?" + VK_RAW + "#frag"]
)
def test_vk_published_vector(raw: str) -> None:
    ident = vk(raw, max_age=None)
    assert ident == VerifiedIdentity(
        provider=Provider.VK,
        subject="494075",
        language="ru",
        extra={"vk_platform": "android", "vk_app_id": "6736218"},
    )


def test_vk_vector_without_ts_is_refused_when_freshness_is_on() -> None:
    with pytest.raises(InvalidSignature) as err:
        vk(VK_RAW)
    assert err.value.code == "invalid_signature"


def test_vk_fresh_signed_data_verifies_and_order_does_not_matter() -> None:
    raw = sign_vk_launch_params(vk_params(), VK_SECRET)
    assert vk(raw).subject == "42"
    assert vk("&".join(reversed(raw.split("&")))).subject == "42"
    # Parameters without the vk_ prefix are not signed and do not matter.
    assert vk(raw + "&odr_enabled=1").subject == "42"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: flip(r, "vk_user_id=42", "vk_user_id=43"),
        lambda r: flip(r, "sign=", "sign=A"),
        lambda r: r + "&vk_is_app_user=1",
        lambda r: flip(r, "&vk_language=ru", ""),
        lambda r: flip(r, "vk_platform=mobile_web", "vk_platform=mobile_wed"),
    ],
)
def test_vk_tampered(mutate: Callable[[str], str]) -> None:
    raw = mutate(sign_vk_launch_params(vk_params(), VK_SECRET))
    with pytest.raises(InvalidSignature) as err:
        vk(raw)
    assert err.value.code == "invalid_signature"


def test_vk_wrong_secret() -> None:
    with pytest.raises(InvalidSignature):
        vk(sign_vk_launch_params(vk_params(), "other"))


@pytest.mark.parametrize(
    ("ts", "ok"), [(TS - 86401, False), (TS - 86399, True), (TS + 299, True), (TS + 301, False)]
)
def test_vk_freshness(ts: int, ok: bool) -> None:
    raw = sign_vk_launch_params(vk_params(vk_ts=str(ts)), VK_SECRET)
    if ok:
        assert vk(raw).subject == "42"
    else:
        with pytest.raises(Expired) as err:
            vk(raw)
        assert err.value.code == "expired"
    assert vk(raw, max_age=None).subject == "42"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "?",
        "garbage",
        "%ff",
        "vk_user_id=%ff&sign=x",
        "https://[::1/?vk_user_id=1",
        VK_RAW + "&vk_user_id=494075",
        VK_RAW + "&sign=htQFduJpLxz7ribXRZpDFUH-XEUhC9rBPTJkjUFEkRA",
        VK_QUERY,
        VK_RAW + "&x=" + "a" * 9000,
        VK_RAW.replace("sign=h", "sign=\u00e9"),
        VK_RAW + "&x=\ud800",
        sign_vk_launch_params(vk_params(vk_user_id="abc"), VK_SECRET),
        sign_vk_launch_params({"vk_app_id": "7", "vk_ts": str(TS)}, VK_SECRET),
        sign_vk_launch_params(vk_params(vk_ts="soon"), VK_SECRET),
    ],
)
def test_vk_malformed(raw: str) -> None:
    with pytest.raises(InvalidSignature) as err:
        vk(raw)
    assert err.value.code == "invalid_signature"


# --- Telegram and MAX (WebAppData) -------------------------------------------------------------


def test_telegram_published_vector() -> None:
    ident = webapp(verify_telegram, TG_RAW, max_age=None)
    assert ident.provider is Provider.TELEGRAM
    assert (ident.subject, ident.first_name, ident.last_name) == (
        "279058397",
        "Vladislav",
        "Kibenko",
    )
    assert (ident.username, ident.language) == ("vdkfrost", "ru")
    assert ident.extra == {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc"}
    with pytest.raises(Expired):
        webapp(verify_telegram, TG_RAW)


def test_max_shares_the_core_with_telegram() -> None:
    for ident in (
        webapp(verify_max, TG_RAW, max_age=None),
        verify_webapp_data(
            TG_RAW, provider=Provider.MAX, bot_token=TG_TOKEN, now=NOW, max_age=None
        ),
    ):
        assert (ident.provider, ident.subject, ident.first_name) == (
            Provider.MAX,
            "279058397",
            "Vladislav",
        )


@pytest.mark.parametrize(
    "wrap",
    [
        lambda r: r,
        lambda r: "#" + r,
        lambda r: "#tgWebAppData=" + quote(r, safe="") + "&tgWebAppVersion=8.0",
        lambda r: "tgWebAppPlatform=android&tgWebAppData=" + quote(r, safe=""),
        lambda r: "#WebAppData=" + quote(r, safe=""),
    ],
)
def test_max_fragment_forms(wrap: Callable[[str], str]) -> None:
    ident = webapp(verify_max, wrap(sign_webapp_data(tg_fields(), TG_TOKEN)))
    assert (ident.provider, ident.subject, ident.first_name) == (Provider.MAX, "1001", "Иван")


def test_max_fragment_with_two_payloads_is_refused() -> None:
    inner = quote(sign_webapp_data(tg_fields(), TG_TOKEN), safe="")
    with pytest.raises(InvalidSignature):
        webapp(verify_max, f"#tgWebAppData={inner}&WebAppData={inner}")


@pytest.mark.parametrize("verify", WEBAPP)
def test_webapp_fresh_data_verifies(verify: Verify) -> None:
    raw = sign_webapp_data(tg_fields(start_param="promo"), TG_TOKEN)
    ident = webapp(verify, raw)
    assert (ident.subject, ident.display_name, ident.language) == ("1001", "Иван Петров", "ru")
    assert ident.extra == {"query_id": "Q1", "start_param": "promo"}
    assert webapp(verify, "&".join(reversed(raw.split("&")))) == ident
    head, digest = raw.split("&hash=")
    assert webapp(verify, f"{head}&hash={digest.upper()}") == ident


@pytest.mark.parametrize("verify", WEBAPP)
@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: flip(r, "Q1", "Q2"),
        lambda r: flip(r, "hash=", "hash=0"),
        lambda r: r[:-1] + ("0" if r[-1] != "0" else "1"),
        lambda r: r + "&chat_type=private",
        lambda r: flip(r, "query_id=Q1&", ""),
        lambda r: flip(r, "%22id%22%3A%201001", "%22id%22%3A%201002"),
    ],
)
def test_webapp_tampered(verify: Verify, mutate: Callable[[str], str]) -> None:
    raw = mutate(sign_webapp_data(tg_fields(), TG_TOKEN))
    with pytest.raises(InvalidSignature) as err:
        webapp(verify, raw)
    assert err.value.code == "invalid_signature"


@pytest.mark.parametrize("verify", WEBAPP)
@pytest.mark.parametrize(
    ("ts", "ok"), [(TS - 86401, False), (TS - 86399, True), (TS + 299, True), (TS + 301, False)]
)
def test_webapp_freshness(verify: Verify, ts: int, ok: bool) -> None:
    raw = sign_webapp_data(tg_fields(auth_date=str(ts)), TG_TOKEN)
    if ok:
        assert webapp(verify, raw).subject == "1001"
    else:
        with pytest.raises(Expired) as err:
            webapp(verify, raw)
        assert err.value.code == "expired"
    assert webapp(verify, raw, max_age=None).subject == "1001"


def signed_without(key: str) -> str:
    fields = tg_fields()
    del fields[key]
    return sign_webapp_data(fields, TG_TOKEN)


@pytest.mark.parametrize("verify", WEBAPP)
@pytest.mark.parametrize(
    "raw",
    [
        "",
        "#",
        "garbage",
        "a=1&&b=2",
        "%ff",
        "user=%ff&hash=00",
        TG_RAW + "&auth_date=1662771648",
        TG_RAW + "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2",
        TG_RAW.replace("hash=c", "hash=\u00e9"),
        TG_RAW + "&x=\ud800",
        TG_RAW + "&x=" + "a" * 9000,
        sign_webapp_data(tg_fields(), TG_TOKEN).split("&hash=")[0],
        signed_without("user"),
        signed_without("auth_date"),
        sign_webapp_data(tg_fields() | {"user": "{not json"}, TG_TOKEN),
        sign_webapp_data(tg_fields(user=["id", 1]), TG_TOKEN),
        sign_webapp_data(tg_fields(user={"id": "1001"}), TG_TOKEN),
        sign_webapp_data(tg_fields(user={"id": True}), TG_TOKEN),
        sign_webapp_data(tg_fields(user={"first_name": "Nobody"}), TG_TOKEN),
        sign_webapp_data(tg_fields() | {"user": "[" * 2000}, TG_TOKEN),
        sign_webapp_data(tg_fields(auth_date="yesterday"), TG_TOKEN),
        sign_webapp_data(tg_fields(**{"a=b": "c"}), TG_TOKEN),
        sign_webapp_data(tg_fields(start_param="x\nauth_date=1"), TG_TOKEN),
    ],
)
def test_webapp_malformed(verify: Verify, raw: str) -> None:
    with pytest.raises(InvalidSignature) as err:
        webapp(verify, raw)
    assert err.value.code == "invalid_signature"


def test_signature_field_stays_in_the_data_check_string() -> None:
    fields = tg_fields(signature="SGVsbG8tZWQyNTUxOS1zaWduYXR1cmU")
    raw = sign_webapp_data(fields, TG_TOKEN)
    assert webapp(verify_telegram, raw).subject == "1001"
    without = {k: v for k, v in fields.items() if k != "signature"}
    assert webapp_hash(without, TG_TOKEN) != webapp_hash(fields, TG_TOKEN)
    # A payload hashed the way signature-dropping libraries do it is refused.
    forged = raw.split("&hash=")[0] + "&hash=" + webapp_hash(without, TG_TOKEN)
    with pytest.raises(InvalidSignature):
        webapp(verify_telegram, forged)


def test_values_are_decoded_exactly_once() -> None:
    fields = tg_fields(start_param="a%26b")
    raw = sign_webapp_data(fields, TG_TOKEN)
    assert "start_param=a%2526b" in raw
    assert webapp(verify_telegram, raw).extra["start_param"] == "a%26b"
    # Hashed over the twice-decoded value: must not verify.
    twice = webapp_hash(fields | {"start_param": "a&b"}, TG_TOKEN)
    with pytest.raises(InvalidSignature):
        webapp(verify_telegram, raw.split("&hash=")[0] + "&hash=" + twice)


def test_vk_values_are_decoded_exactly_once() -> None:
    raw = sign_vk_launch_params(vk_params(vk_ref="a%26b"), VK_SECRET)
    assert "vk_ref=a%2526b" in raw
    assert vk(raw).subject == "42"
    with pytest.raises(InvalidSignature):
        vk(flip(raw, "vk_ref=a%2526b", "vk_ref=a%26b"))


def test_messages_leak_neither_secret_nor_data() -> None:
    for call in (
        lambda: webapp(verify_telegram, flip(TG_RAW, "hash=c", "hash=d")),
        lambda: vk(flip(VK_RAW, "sign=h", "sign=H")),
    ):
        with pytest.raises(InvalidSignature) as err:
            call()
        text = str(err.value)
        assert text == "Подпись данных запуска неверна."
        assert TG_TOKEN not in text
        assert VK_SECRET not in text


# --- Properties --------------------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n"), max_size=30)
_keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_users = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**53)},
    optional={"first_name": _text, "last_name": _text, "username": _text},
)


@st.composite
def webapp_raw(draw: st.DrawFn) -> str:
    keys = _keys.filter(lambda k: k not in {"hash", "user", "auth_date"})
    fields = draw(st.dictionaries(keys, _text, max_size=4)) | {
        "user": json.dumps(draw(_users)),
        "auth_date": str(TS - draw(st.integers(0, 3600))),
    }
    return sign_webapp_data(fields, TG_TOKEN)


@st.composite
def vk_raw(draw: st.DrawFn) -> str:
    keys = _keys.map(lambda k: "vk_" + k).filter(lambda k: k not in {"vk_user_id", "vk_ts"})
    params = draw(st.dictionaries(keys, _text, max_size=4)) | {
        "vk_user_id": str(draw(st.integers(1, 10**12))),
        "vk_ts": str(TS - draw(st.integers(0, 3600))),
    }
    return sign_vk_launch_params(params, VK_SECRET)


def _verifier(provider: str) -> Callable[[str], VerifiedIdentity]:
    if provider == "vk":
        return vk
    verify = verify_telegram if provider == "telegram" else verify_max
    return lambda raw: webapp(verify, raw)


@settings(max_examples=300)
@given(st.data())
def test_round_trip_and_single_character_flips(data: st.DataObject) -> None:
    provider = data.draw(st.sampled_from(["telegram", "max", "vk"]))
    raw = data.draw(vk_raw() if provider == "vk" else webapp_raw())
    check = _verifier(provider)
    ident = check(raw)  # signed data always verifies
    assert ident.provider == provider
    assert ident.subject.isdigit()
    i = data.draw(st.integers(0, len(raw) - 1))
    mutated = raw[:i] + data.draw(st.characters().filter(lambda c: c != raw[i])) + raw[i + 1 :]
    try:
        result = check(mutated)
    except (InvalidSignature, Expired):
        return
    # Only an equivalent encoding (hex case of an escape or of the hash) may still verify.
    assert result == ident
