"""Made-up demo rows for ``sheetcrm new --sample``: a small soap shop's customers and sales.

The rows are drawn from a fixed seed and placed relative to ``today``, so the same
``today`` always gives the same workbook.  Customers follow *archetypes* (monthly
subscribers, lapsed regulars, one-time buyers…) chosen so that every RFM segment has
members, and a handful of deliberate slips (:class:`Quirk`) give the Issues tab
something to show.  Values use the drop-down words of ``templates/workbook.toml``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, TypeVar

from sheetcrm.errors import InvalidOption
from sheetcrm.resources import load_table

Lang = Literal["ja", "en"]
CellValue = str | int | dt.date | None
#: One sample row: field name (as in ``templates/headers.toml``) → value.
Row = Mapping[str, CellValue]

SEED = 20240301
HORIZON_DAYS = 900  # about two and a half years of history
REIWA_START = dt.date(2019, 5, 1)
EARLIEST_TODAY = dt.date(2020, 1, 1)  # the 令和 date slip needs Reiwa-era history
FIRST_ORDER_NUMBER = 10001
CANCELLED, REFUNDED, PENDING = 8, 4, 2  # orders given each non-completed status
MAILING_SIZE = 22  # customers who get the spring direct mail
MAILED_ARCHETYPES = ("champion", "loyal", "needs_attention", "at_risk", "cant_lose", "hibernating")

_T = TypeVar("_T")


@dataclass(frozen=True)
class Quirk:
    """A deliberate slip: ``rows(sheet)[row][field]`` is ``value``; ``kind`` keys workbook.toml."""

    sheet: str
    row: int
    field: str
    kind: str
    value: str | int


@dataclass(frozen=True)
class SampleData:
    """Rows for the three data tabs, the deliberate slips, and each customer's archetype."""

    customers: tuple[Row, ...]
    orders: tuple[Row, ...]
    activities: tuple[Row, ...]
    quirks: tuple[Quirk, ...]
    archetypes: Mapping[str, str]  # customer_id → archetype name (see ARCHETYPES)

    def rows(self, sheet: str) -> tuple[Row, ...]:
        """The rows of the tab with this key (``customers``, ``orders`` or ``activities``)."""
        return {"customers": self.customers, "orders": self.orders, "activities": self.activities}[
            sheet
        ]


@dataclass(frozen=True)
class Archetype:
    """A kind of customer: how many orders, how long ago the last one, how far apart."""

    name: str
    count: int
    orders: tuple[int, int]
    last_days_ago: tuple[int, int]
    gap_days: tuple[int, int]
    basket: str  # key of BASKETS


# Designed so the usual RFM segments all have members: recent and frequent, lapsed
# after many orders, new, one-time long ago, and prospects who never bought.
ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("champion", 6, (18, 28), (3, 25), (26, 34), "subscriber"),
    Archetype("loyal", 11, (7, 12), (10, 60), (45, 80), "regular"),
    Archetype("potential_loyalist", 8, (2, 4), (5, 45), (30, 70), "regular"),
    Archetype("new", 10, (1, 1), (1, 28), (0, 0), "casual"),
    Archetype("promising", 6, (1, 1), (35, 90), (0, 0), "casual"),
    Archetype("needs_attention", 6, (2, 4), (100, 170), (40, 90), "regular"),
    Archetype("at_risk", 6, (5, 8), (200, 330), (35, 70), "regular"),
    Archetype("cant_lose", 3, (12, 16), (250, 400), (25, 40), "subscriber"),
    Archetype("hibernating", 9, (2, 3), (380, 700), (40, 120), "casual"),
    Archetype("lost_one_time", 9, (1, 1), (420, 880), (0, 0), "casual"),
    Archetype("prospect", 5, (0, 0), (0, 0), (0, 0), "casual"),
)


@dataclass(frozen=True)
class Product:
    ja: str
    en: str
    price: int  # yen, tax included


PRODUCTS: dict[str, Product] = {
    "soap": Product("無添加石けん 100g", "Unscented Soap Bar 100g", 1650),
    "soap3": Product("無添加石けん 3個セット", "Soap Bar 3-Pack", 4620),
    "subscription": Product("定期便（毎月お届け）", "Monthly Subscription", 3300),
    "gift": Product("ギフトセット", "Gift Box", 5500),
    "trial": Product("お試しセット", "Trial Set", 1100),
    "net": Product("泡立てネット", "Foaming Net", 440),
}

# Relative weights of what each kind of buyer orders.
BASKETS: dict[str, dict[str, int]] = {
    "subscriber": {"subscription": 16, "soap": 2, "gift": 1, "net": 1},
    "regular": {"soap": 8, "soap3": 6, "gift": 2, "net": 2, "subscription": 1},
    "casual": {"soap": 10, "soap3": 3, "gift": 4, "net": 1},
}
QUANTITY_WEIGHTS: dict[str, dict[int, int]] = {"soap": {1: 6, 2: 3, 3: 1}, "net": {1: 3, 2: 1}}
TRIAL_FIRST_ORDER = 0.35  # share of customers whose first order is the trial set


@dataclass(frozen=True)
class Vocabulary:
    """Words of one language that are not drop-down values."""

    sources: dict[str, int]
    spring_campaign: str
    sample_campaign: str
    market_campaign: str
    customer_notes: tuple[str, ...]
    order_notes: tuple[str, ...]
    cancelled_note: str
    refunded_note: str
    pending_note: str
    duplicate_note: str
    dm_note: str
    response_notes: tuple[str, ...]
    brochure_note: str
    sample_note: str
    inquiry_notes: tuple[str, ...]
    complaint_closed_note: str
    complaint_open_note: str
    feedback_notes: tuple[str, ...]
    visit_note: str
    phone_notes: tuple[str, ...]
    thanks_note: str
    buildings: tuple[str, ...]


VOCABULARY: dict[str, Vocabulary] = {
    "ja": Vocabulary(
        sources={"Instagram": 30, "検索": 20, "紹介": 15, "イベント": 12, "LINE": 10, "チラシ": 8},
        spring_campaign="春のキャンペーン",
        sample_campaign="新商品サンプル",
        market_campaign="春のマルシェ",
        customer_notes=(
            "敏感肌",
            "ギフト用に購入が多い",
            "香りなしを希望",
            "置き配希望",
            "平日昼は不在",
        ),
        order_notes=("ギフト包装希望", "のし: 御礼", "午前中指定", "置き配希望", "領収書希望"),
        cancelled_note="お客様都合でキャンセル",
        refunded_note="破損のため返品・返金済み",
        pending_note="銀行振込",
        duplicate_note="イベントで登録",
        dm_note="春のキャンペーンDMを送付",
        response_notes=(
            "DMを見て定期便について問い合わせ",
            "DMを持って来店",
            "DMありがとう、また買いますとのこと",
        ),
        brochure_note="商品カタログを送付",
        sample_note="新しい香りのサンプルを送付",
        inquiry_notes=(
            "定期便のお届け日を変更したい",
            "敏感肌でも使えるか",
            "成分について質問",
            "ギフト包装はできるか",
            "まとめ買いの割引はあるか",
            "次回の入荷時期",
            "石けんの保存方法",
        ),
        complaint_closed_note="石けんが割れて届いた。交換品を発送済み",
        complaint_open_note="お届けが遅れている。配送会社に確認中",
        feedback_notes=(
            "香りがやさしくて好き",
            "肌のつっぱりがなくなった",
            "家族みんなで使っている",
            "ギフトで喜ばれた",
            "泡立ちがよい",
        ),
        visit_note="マルシェのブースに来店",
        phone_notes=("定期便の更新をご案内", "不在で戻った荷物の再配達を連絡"),
        thanks_note="初回購入のお礼メール",
        buildings=("コーポ若葉", "メゾン緑ヶ丘", "サンハイツ", "グランドール", "パークサイド"),
    ),
    "en": Vocabulary(
        sources={
            "Instagram": 30,
            "Search": 20,
            "Referral": 15,
            "Event": 12,
            "Facebook": 10,
            "Flyer": 8,
        },
        spring_campaign="Spring Campaign",
        sample_campaign="New Scent Sample",
        market_campaign="Spring Market",
        customer_notes=(
            "Sensitive skin",
            "Often buys gifts",
            "Prefers unscented",
            "Leave at door",
            "Out on weekdays",
        ),
        order_notes=(
            "Gift wrap",
            "Gift message card",
            "Morning delivery",
            "Leave at door",
            "Receipt requested",
        ),
        cancelled_note="Cancelled by customer",
        refunded_note="Arrived broken; returned and refunded",
        pending_note="Bank transfer",
        duplicate_note="Signed up at an event",
        dm_note="Spring campaign postcard sent",
        response_notes=(
            "Asked about the subscription after the postcard",
            "Came in with the postcard",
            "Thanked us for the postcard, will order again",
        ),
        brochure_note="Catalog sent",
        sample_note="New scent sample sent",
        inquiry_notes=(
            "Wants to change the subscription delivery day",
            "Is it OK for sensitive skin?",
            "Question about ingredients",
            "Can you gift-wrap?",
            "Any discount for bulk orders?",
            "When is the next restock?",
            "How to store the soap",
        ),
        complaint_closed_note="Soap arrived broken; replacement sent",
        complaint_open_note="Delivery is late; checking with the carrier",
        feedback_notes=(
            "Loves the gentle scent",
            "Skin feels less dry",
            "The whole family uses it",
            "The gift was a hit",
            "Lathers nicely",
        ),
        visit_note="Visited our market stall",
        phone_notes=("Called about subscription renewal", "Called about a returned parcel"),
        thanks_note="Thank-you email after first order",
        buildings=("Green Court", "Maison Midori", "Sun Heights", "Park Side", "Grand Hill"),
    ),
}


def _entries(text: str) -> tuple[tuple[str, ...], ...]:
    """Parse a compact table: entries separated by commas or new lines, fields by spaces."""
    return tuple(tuple(e.split()) for line in text.strip().splitlines() for e in line.split(","))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (kanji, katakana, romaji), common names; the romaji makes the e-mail addresses.
FAMILY_JA = _entries("""
佐藤 サトウ sato, 鈴木 スズキ suzuki, 高橋 タカハシ takahashi, 田中 タナカ tanaka
伊藤 イトウ ito, 渡辺 ワタナベ watanabe, 山本 ヤマモト yamamoto, 中村 ナカムラ nakamura
小林 コバヤシ kobayashi, 加藤 カトウ kato, 吉田 ヨシダ yoshida, 山田 ヤマダ yamada
佐々木 ササキ sasaki, 山口 ヤマグチ yamaguchi, 松本 マツモト matsumoto, 井上 イノウエ inoue
木村 キムラ kimura, 林 ハヤシ hayashi, 斎藤 サイトウ saito, 清水 シミズ shimizu
山崎 ヤマザキ yamazaki, 森 モリ mori, 池田 イケダ ikeda, 橋本 ハシモト hashimoto
阿部 アベ abe, 石川 イシカワ ishikawa, 前田 マエダ maeda, 藤田 フジタ fujita
小川 オガワ ogawa, 岡田 オカダ okada, 後藤 ゴトウ goto, 長谷川 ハセガワ hasegawa
村上 ムラカミ murakami, 近藤 コンドウ kondo, 石井 イシイ ishii, 坂本 サカモト sakamoto
遠藤 エンドウ endo, 青木 アオキ aoki, 藤井 フジイ fujii, 西村 ニシムラ nishimura
福田 フクダ fukuda, 太田 オオタ ota, 三浦 ミウラ miura, 藤原 フジワラ fujiwara
岡本 オカモト okamoto
""")
FEMALE_JA = _entries("""
美咲 ミサキ misaki, 陽子 ヨウコ yoko, 由美 ユミ yumi, 恵子 ケイコ keiko, 真由美 マユミ mayumi
愛 アイ ai, 彩 アヤ aya, 千尋 チヒロ chihiro, 麻衣 マイ mai, 直美 ナオミ naomi
裕子 ユウコ yuko, 智子 トモコ tomoko, 久美子 クミコ kumiko, 明美 アケミ akemi, 結衣 ユイ yui
葵 アオイ aoi, 陽菜 ヒナ hina, 美穂 ミホ miho, 香織 カオリ kaori, 紀子 ノリコ noriko
沙織 サオリ saori, 奈々 ナナ nana, 理恵 リエ rie, 早苗 サナエ sanae, 幸子 サチコ sachiko
京子 キョウコ kyoko, さくら サクラ sakura, 優花 ユウカ yuka, 真理子 マリコ mariko
綾香 アヤカ ayaka, 瞳 ヒトミ hitomi, 亜希子 アキコ akiko, めぐみ メグミ megumi
""")
MALE_JA = _entries("""
健太 ケンタ kenta, 翔太 ショウタ shota, 大輔 ダイスケ daisuke, 拓也 タクヤ takuya
直樹 ナオキ naoki, 浩二 コウジ koji, 誠 マコト makoto, 隆 タカシ takashi
健一 ケンイチ kenichi, 亮 リョウ ryo, 和也 カズヤ kazuya, 修 オサム osamu
""")
FAMILY_EN = _words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis
Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell
Roberts Turner Phillips Campbell Parker Evans
""")
FEMALE_EN = _words("""
Emily Sarah Jessica Ashley Jennifer Amanda Megan Rachel Lauren Hannah Olivia Emma Sophia
Chloe Grace Natalie Rebecca Laura Michelle Nicole Kimberly Heather Amy Julia Katie Melissa
Stephanie Danielle Victoria Abigail Madison Claire Lily Zoe
""")
MALE_EN = _words("""
Michael David James Daniel Chris Matthew Ryan Andrew Kevin Brian Jason Tyler
""")
GENDER_WEIGHTS = {"female": 72, "male": 20, "other": 1, "blank": 7}


@dataclass(frozen=True)
class Place:
    postal_code: str
    ja: str  # prefecture, city and town, to which the block number is appended
    en: str  # town, ward, city, prefecture, after the block number
    area_code: str  # landline prefix
    weight: int


def _place(line: str) -> Place:
    postal_code, ja, en, area_code, weight = (f.strip() for f in line.split("|"))
    return Place(postal_code, ja, en, area_code, int(weight))


# Contact details are Japanese-format in both languages: sheetcrm's parsers expect
# 7-digit postal codes and Japanese phone numbers.
# Postal code | address | address in English | landline area code | weight.
PLACES = tuple(
    _place(line)
    for line in """
150-0001 | 東京都渋谷区神宮前 | Jingumae, Shibuya-ku, Tokyo | 03 | 5
154-0004 | 東京都世田谷区太子堂 | Taishido, Setagaya-ku, Tokyo | 03 | 5
113-0033 | 東京都文京区本郷 | Hongo, Bunkyo-ku, Tokyo | 03 | 3
135-0016 | 東京都江東区東陽 | Toyo, Koto-ku, Tokyo | 03 | 3
180-0004 | 東京都武蔵野市吉祥寺本町 | Kichijoji Honcho, Musashino-shi, Tokyo | 0422 | 3
220-0012 | 神奈川県横浜市西区みなとみらい | Minatomirai, Nishi-ku, Yokohama-shi, Kanagawa | 045 | 4
251-0025 | 神奈川県藤沢市鵠沼石上 | Kugenuma Ishigami, Fujisawa-shi, Kanagawa | 0466 | 2
330-0063 | 埼玉県さいたま市浦和区高砂 | Takasago, Urawa-ku, Saitama-shi, Saitama | 048 | 3
260-0013 | 千葉県千葉市中央区中央 | Chuo, Chuo-ku, Chiba-shi, Chiba | 043 | 2
060-0042 | 北海道札幌市中央区大通西 | Odori Nishi, Chuo-ku, Sapporo-shi, Hokkaido | 011 | 2
010-0001 | 秋田県秋田市中通 | Nakadori, Akita-shi, Akita | 018 | 1
980-0021 | 宮城県仙台市青葉区中央 | Chuo, Aoba-ku, Sendai-shi, Miyagi | 022 | 2
380-0823 | 長野県長野市南千歳 | Minami Chitose, Nagano-shi, Nagano | 026 | 1
460-0008 | 愛知県名古屋市中区栄 | Sakae, Naka-ku, Nagoya-shi, Aichi | 052 | 3
420-0857 | 静岡県静岡市葵区御幸町 | Miyukicho, Aoi-ku, Shizuoka-shi, Shizuoka | 054 | 1
920-0981 | 石川県金沢市片町 | Katamachi, Kanazawa-shi, Ishikawa | 076 | 1
600-8216 | 京都府京都市下京区東塩小路町 | Higashishiokoji, Shimogyo-ku, Kyoto-shi, Kyoto | 075 | 2
530-0001 | 大阪府大阪市北区梅田 | Umeda, Kita-ku, Osaka-shi, Osaka | 06 | 4
542-0086 | 大阪府大阪市中央区西心斎橋 | Nishishinsaibashi, Chuo-ku, Osaka-shi, Osaka | 06 | 2
650-0021 | 兵庫県神戸市中央区三宮町 | Sannomiyacho, Chuo-ku, Kobe-shi, Hyogo | 078 | 2
700-0024 | 岡山県岡山市北区駅元町 | Ekimotomachi, Kita-ku, Okayama-shi, Okayama | 086 | 1
730-0011 | 広島県広島市中区基町 | Motomachi, Naka-ku, Hiroshima-shi, Hiroshima | 082 | 2
810-0001 | 福岡県福岡市中央区天神 | Tenjin, Chuo-ku, Fukuoka-shi, Fukuoka | 092 | 3
900-0015 | 沖縄県那覇市久茂地 | Kumoji, Naha-shi, Okinawa | 098 | 1
""".strip().splitlines()
)
MOBILE_PREFIXES = {"090": 5, "080": 4, "070": 1}
LANDLINE_SHARE = 0.25
# Reserved example domains (RFC 2606, JPRS): demo rows must never reach a real mailbox.
EMAIL_DOMAINS: dict[str, dict[str, int]] = {
    "ja": {"example.jp": 4, "example.ne.jp": 3, "example.co.jp": 1, "example.com": 2},
    "en": {"example.com": 5, "example.net": 2, "example.org": 1},
}
MONTHS_EN = _words(
    "January February March April May June July August September October November December"
)
# A date the seller only half remembered, by month number.
UNREADABLE_DATE: dict[str, Callable[[int], str]] = {
    "ja": lambda month: f"{month}月頃",
    "en": lambda month: f"around {MONTHS_EN[month - 1]}",
}


@dataclass(eq=False)
class _Person:
    """A customer while the sample is being drawn."""

    archetype: str
    name: str
    kana: str | None
    email: str
    phone: str | None
    postal_code: str | None
    address: str | None
    birthday: dt.date | None
    gender: str | None
    source: str | None
    opt_in: str
    notes: str | None
    order_dates: list[dt.date] = field(default_factory=list)
    created_at: dt.date | None = None
    customer_id: str = ""


@dataclass(eq=False)
class _Order:
    person: _Person  # whose customer ID the row shows
    date: dt.date
    email: str  # as typed on the order, which may differ from the customer list
    phone: str | None
    product: str
    quantity: int
    amount: int
    status: str
    notes: str | None


@dataclass(eq=False)
class _Activity:
    person: _Person
    date: dt.date
    kind: str
    campaign: str | None
    status: str
    notes: str


@dataclass(eq=False)
class _Draft:
    """Everything drawn so far; rows are built from it once identities are settled."""

    lang: Lang
    today: dt.date
    rng: random.Random
    choices: dict[str, list[str]]
    vocab: Vocabulary
    people: list[_Person] = field(default_factory=list)
    orders: list[_Order] = field(default_factory=list)
    activities: list[_Activity] = field(default_factory=list)

    def contact(
        self,
        person: _Person,
        date: dt.date,
        kind: str,
        campaign: str | None,
        note: str,
        *,
        done: bool = True,
    ) -> None:
        """Log a contact (never after today); ``done=False`` leaves it open."""
        open_, closed = self.choices["activity_status"]
        status = closed if done else open_
        self.activities.append(
            _Activity(person, min(date, self.today), kind, campaign, status, note)
        )


class _ActivityTypes(NamedTuple):
    """The activity-type drop-down of workbook.toml, in its order, by meaning."""

    inquiry: str
    brochure: str
    sample: str
    complaint: str
    feedback: str
    visit: str
    email: str
    mailing: str
    phone: str


def generate_sample(lang: Lang, today: dt.date) -> SampleData:
    """Draw the demo rows for ``lang`` with dates up to ``today`` (same ``today``, same rows)."""
    if today < EARLIEST_TODAY:
        raise InvalidOption(
            f"The sample data needs a date from {EARLIEST_TODAY:%Y-%m-%d} on, not {today}.",
            message_ja=f"サンプルデータの基準日は {EARLIEST_TODAY:%Y/%m/%d} 以降に"
            f"してください（指定: {today}）。",
        )
    choices = {key: list(values[lang]) for key, values in load_table("workbook")["choices"].items()}
    draft = _Draft(lang, today, random.Random(SEED), choices, VOCABULARY[lang])
    _draw_people(draft)
    _draw_orders(draft)
    _draw_activities(draft)
    duplicate = _register_twice(draft)
    tables = _build_rows(draft)
    quirks = _plant_quirks(draft, tables, duplicate)
    return SampleData(
        customers=tuple(tables["customers"]),
        orders=tuple(tables["orders"]),
        activities=tuple(tables["activities"]),
        quirks=quirks,
        archetypes={p.customer_id: p.archetype for p in draft.people},
    )


# --- people ----------------------------------------------------------------------


def _draw_people(draft: _Draft) -> None:
    used_names: set[str] = set()
    used_emails: set[str] = set()
    for archetype in ARCHETYPES:
        for _ in range(archetype.count):
            person = _draw_person(draft, archetype.name, used_names, used_emails)
            draft.people.append(person)


def _draw_person(
    draft: _Draft, archetype: str, used_names: set[str], used_emails: set[str]
) -> _Person:
    rng, lang, vocab = draft.rng, draft.lang, draft.vocab
    sex = _weighted(rng, GENDER_WEIGHTS)
    while True:
        name, kana, given, family = _draw_name(rng, lang, male=sex == "male")
        if name not in used_names:
            used_names.add(name)
            break
    birthday = None if rng.random() < 0.12 else _draw_birthday(rng, draft.today)
    place = rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
    prospect = archetype == "prospect"
    genders = dict(zip(("female", "male", "other"), draft.choices["gender"], strict=True))
    opt_yes, opt_no = draft.choices["email_opt_in"]
    return _Person(
        archetype=archetype,
        name=name,
        kana=kana,
        email=_draw_email(rng, lang, given, family, birthday, used_emails),
        phone=None if rng.random() < (0.5 if prospect else 0.05) else _draw_phone(rng, place),
        postal_code=place.postal_code,
        address=_draw_address(rng, lang, place, vocab),
        birthday=None if prospect else birthday,
        gender=genders.get(sex),
        source=_weighted(rng, vocab.sources),
        opt_in=opt_yes if rng.random() < 0.8 else opt_no,
        notes=rng.choice(vocab.customer_notes) if rng.random() < 0.15 else None,
    )


def _draw_name(rng: random.Random, lang: Lang, *, male: bool) -> tuple[str, str | None, str, str]:
    """``(name, kana, given name in romaji, family name in romaji)``."""
    if lang == "ja":
        family = rng.choice(FAMILY_JA)
        given = rng.choice(MALE_JA if male else FEMALE_JA)
        # A full-width space between family and given name, as Japanese sheets usually have.
        name, kana = f"{family[0]}\u3000{given[0]}", f"{family[1]}\u3000{given[1]}"
        return name, kana, given[2], family[2]
    family_en = rng.choice(FAMILY_EN)
    given_en = rng.choice(MALE_EN if male else FEMALE_EN)
    return f"{given_en} {family_en}", None, given_en.lower(), family_en.lower()


def _draw_email(
    rng: random.Random,
    lang: Lang,
    given: str,
    family: str,
    birthday: dt.date | None,
    used: set[str],
) -> str:
    year = f"{(birthday.year if birthday else rng.randint(1960, 2000)) % 100:02d}"
    local = rng.choice(
        (
            f"{given}.{family}",
            f"{family}.{given}",
            f"{given}{family[0]}",
            f"{given[0]}{family}",
            f"{given}{year}",
            f"{family}_{given}{year}",
        )
    )
    domains = EMAIL_DOMAINS[lang]
    email = f"{local}@{_weighted(rng, domains)}"
    while email in used:
        email = f"{local}{rng.randint(1, 99)}@{_weighted(rng, domains)}"
    used.add(email)
    return email


def _draw_phone(rng: random.Random, place: Place) -> str:
    if rng.random() >= LANDLINE_SHARE:
        prefix = _weighted(rng, MOBILE_PREFIXES)
        return f"{prefix}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
    # Ten digits in all: the area code and the local exchange share six.
    area = place.area_code
    exchange = str(rng.randint(2, 9)) + "".join(
        str(rng.randint(0, 9)) for _ in range(5 - len(area))
    )
    return f"{area}-{exchange}-{rng.randint(0, 9999):04d}"


def _draw_address(rng: random.Random, lang: Lang, place: Place, vocab: Vocabulary) -> str:
    block = f"{rng.randint(1, 5)}-{rng.randint(1, 20)}-{rng.randint(1, 15)}"
    if rng.random() >= 0.3:
        return f"{place.ja}{block}" if lang == "ja" else f"{block} {place.en}"
    building, room = rng.choice(vocab.buildings), f"{rng.randint(1, 6)}0{rng.randint(1, 5)}"
    if lang == "ja":
        return f"{place.ja}{block} {building}{room}"
    return f"{building} #{room}, {block} {place.en}"


def _draw_birthday(rng: random.Random, today: dt.date) -> dt.date:
    ages = range(22, 75)
    age = rng.choices(ages, weights=[3 if 30 <= a <= 55 else 1 for a in ages])[0]
    return dt.date(today.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))


# --- orders ----------------------------------------------------------------------


def _draw_orders(draft: _Draft) -> None:
    rng = draft.rng
    completed = draft.choices["order_status"][0]
    for archetype in ARCHETYPES:
        for person in (p for p in draft.people if p.archetype == archetype.name):
            person.order_dates = _order_dates(rng, archetype, draft.today)
            person.created_at = person.order_dates[0] if person.order_dates else None
            for n, date in enumerate(person.order_dates):
                first_trial = n == 0 and rng.random() < TRIAL_FIRST_ORDER
                key = "trial" if first_trial else _weighted(rng, BASKETS[archetype.basket])
                quantity = _weighted(rng, QUANTITY_WEIGHTS.get(key, {1: 1}))
                product = PRODUCTS[key]
                note = rng.choice(draft.vocab.order_notes) if rng.random() < 0.08 else None
                draft.orders.append(
                    _Order(
                        person=person,
                        date=date,
                        email=person.email,
                        phone=person.phone,
                        product=product.ja if draft.lang == "ja" else product.en,
                        quantity=quantity,
                        amount=product.price * quantity,
                        status=completed,
                        notes=note,
                    )
                )
    draft.orders.sort(key=lambda o: (o.date, o.person.name))
    _mark_statuses(draft)


def _order_dates(rng: random.Random, archetype: Archetype, today: dt.date) -> list[dt.date]:
    """Walk back from the last order by the archetype's gaps, stopping at the horizon."""
    count = rng.randint(*archetype.orders)
    if count == 0:
        return []
    dates = [today - dt.timedelta(days=rng.randint(*archetype.last_days_ago))]
    for _ in range(count - 1):
        earlier = dates[-1] - dt.timedelta(days=rng.randint(*archetype.gap_days))
        if (today - earlier).days > HORIZON_DAYS:
            break
        dates.append(earlier)
    return sorted(dates)


def _mark_statuses(draft: _Draft) -> None:
    """Cancel or refund a few orders (never a customer's only or last); leave the newest unpaid."""
    rng, vocab, today = draft.rng, draft.vocab, draft.today
    _completed, cancelled, refunded, pending = draft.choices["order_status"]
    eligible = [
        o
        for o in draft.orders
        if len(o.person.order_dates) > 1
        and o.date != o.person.order_dates[-1]
        and (today - o.date).days > 14
    ]
    outcomes = [(cancelled, vocab.cancelled_note)] * CANCELLED + [
        (refunded, vocab.refunded_note)
    ] * REFUNDED
    for order, (status, note) in zip(rng.sample(eligible, len(outcomes)), outcomes, strict=True):
        order.status, order.notes = status, note
    for order in [o for o in draft.orders if (today - o.date).days <= 10][-PENDING:]:
        order.status, order.notes = pending, vocab.pending_note


# --- activities ------------------------------------------------------------------


def _draw_activities(draft: _Draft) -> None:
    """About 60 contacts: a spring mailing with responses, requests, everyday contacts."""
    buyers = [p for p in draft.people if p.order_dates]
    prospects = [p for p in draft.people if not p.order_dates]
    _draw_mailing(draft, buyers)
    _draw_requests(draft, buyers, prospects)
    _draw_contacts(draft, buyers, prospects)
    for person in prospects:
        person.created_at = min(a.date for a in draft.activities if a.person is person)
    draft.activities.sort(key=lambda a: (a.date, a.person.name, a.kind))


def _draw_mailing(draft: _Draft, buyers: list[_Person]) -> None:
    """The spring direct mail goes to earlier buyers who accept mail; three of them respond."""
    rng, vocab, types = draft.rng, draft.vocab, _ActivityTypes(*draft.choices["activity_type"])
    spring = _latest(draft.today - dt.timedelta(days=30), month=3, day=1)
    opt_yes = draft.choices["email_opt_in"][0]
    reachable = [
        p
        for p in buyers
        if p.archetype in MAILED_ARCHETYPES and p.opt_in == opt_yes and p.order_dates[0] < spring
    ]
    recipients = rng.sample(reachable, min(MAILING_SIZE, len(reachable)))
    for person in recipients:
        draft.contact(person, spring, types.mailing, vocab.spring_campaign, vocab.dm_note)
    kinds = (types.inquiry, types.visit, types.feedback)  # the customer acts: a response
    for person, kind, note in zip(recipients, kinds, vocab.response_notes, strict=False):
        date = spring + dt.timedelta(days=rng.randint(3, 14))
        draft.contact(person, date, kind, vocab.spring_campaign, note)


def _draw_requests(draft: _Draft, buyers: list[_Person], prospects: list[_Person]) -> None:
    """Brochure and sample requests: some lead to a first order, the prospects' never do."""
    rng, vocab, types = draft.rng, draft.vocab, _ActivityTypes(*draft.choices["activity_type"])
    spring = _latest(draft.today - dt.timedelta(days=30), month=3, day=1)
    newcomers = [p for p in buyers if p.archetype in ("new", "promising", "potential_loyalist")]
    for person in prospects[:3] + rng.sample(newcomers, 3):
        date = spring + dt.timedelta(days=rng.randint(-10, 25))
        draft.contact(person, date, types.brochure, vocab.spring_campaign, vocab.brochure_note)
    for person in prospects[3:]:
        date = draft.today - dt.timedelta(days=rng.randint(20, 150))
        draft.contact(person, date, types.sample, vocab.sample_campaign, vocab.sample_note)
    for person in rng.sample([p for p in buyers if p.archetype == "new"], 3):
        date = person.order_dates[0] - dt.timedelta(days=rng.randint(7, 20))
        draft.contact(person, date, types.sample, vocab.sample_campaign, vocab.sample_note)


def _draw_contacts(draft: _Draft, buyers: list[_Person], prospects: list[_Person]) -> None:
    """Inquiries, two complaints (one still open), feedback, market visits, calls, thank-yous."""
    rng, vocab, today = draft.rng, draft.vocab, draft.today
    types = _ActivityTypes(*draft.choices["activity_type"])
    asked = [*rng.sample(buyers, 6), prospects[-1]]
    for person, note in zip(asked, vocab.inquiry_notes, strict=True):
        start = person.order_dates[0] if person.order_dates else today - dt.timedelta(days=15)
        draft.contact(person, _between(rng, start, today), types.inquiry, None, note)

    settled = rng.choice([p for p in buyers if p.archetype in ("loyal", "at_risk")])
    date = settled.order_dates[0] + dt.timedelta(days=4)
    draft.contact(settled, date, types.complaint, None, vocab.complaint_closed_note)
    waiting = rng.choice([p for p in buyers if (today - p.order_dates[-1]).days <= 20])
    date = waiting.order_dates[-1] + dt.timedelta(days=3)
    draft.contact(waiting, date, types.complaint, None, vocab.complaint_open_note, done=False)

    fans = [p for p in buyers if p.archetype in ("champion", "loyal")]
    for person, note in zip(rng.sample(fans, 5), vocab.feedback_notes, strict=True):
        date = rng.choice(person.order_dates) + dt.timedelta(days=rng.randint(5, 15))
        draft.contact(person, date, types.feedback, None, note)

    market = _latest(today - dt.timedelta(days=7), month=4, day=20)
    for person in rng.sample([p for p in buyers if p.order_dates[0] < market], 3):
        draft.contact(person, market, types.visit, vocab.market_campaign, vocab.visit_note)
    for person, note in zip(rng.sample(buyers, 2), vocab.phone_notes, strict=True):
        date = _between(rng, person.order_dates[0], today)
        draft.contact(person, date, types.phone, None, note)
    for person in rng.sample([p for p in buyers if p.archetype == "new"], 5):
        date = person.order_dates[0] + dt.timedelta(days=1)
        draft.contact(person, date, types.email, None, vocab.thanks_note)


# --- identities, rows and slips --------------------------------------------------


def _register_twice(draft: _Draft) -> _Person:
    """Register a loyal customer again (e-mail in full-width); their last order uses the new ID."""
    original = next(p for p in draft.people if p.archetype == "loyal" and len(p.order_dates) >= 4)
    last_order = [o for o in draft.orders if o.person is original][-1]
    duplicate = _Person(
        archetype=original.archetype,
        name=original.name,
        kana=original.kana,
        email=to_full_width(original.email),
        phone=None,
        postal_code=None,
        address=None,
        birthday=None,
        gender=original.gender,
        source=None,
        opt_in=draft.choices["email_opt_in"][0],
        notes=draft.vocab.duplicate_note,
        created_at=last_order.date,
    )
    draft.people.append(duplicate)
    last_order.person = duplicate
    return duplicate


def _build_rows(draft: _Draft) -> dict[str, list[dict[str, CellValue]]]:
    """Number customers in registration order (as a seller would) and orders by date."""
    people = sorted(draft.people, key=lambda p: (p.created_at or draft.today, p.name))
    for number, person in enumerate(people, start=1):
        person.customer_id = f"C{number:04d}"
    customers = [
        {
            "customer_id": p.customer_id,
            "name": p.name,
            "name_kana": p.kana,
            "email": p.email,
            "phone": p.phone,
            "postal_code": p.postal_code,
            "address": p.address,
            "birthday": p.birthday,
            "gender": p.gender,
            "source": p.source,
            "email_opt_in": p.opt_in,
            "created_at": p.created_at,
            "notes": p.notes,
        }
        for p in people
    ]
    orders = [
        {
            "order_id": f"ORD-{number}",
            "order_date": o.date,
            "customer_id": o.person.customer_id,
            "name": o.person.name,
            "email": o.email,
            "phone": o.phone,
            "product": o.product,
            "quantity": o.quantity,
            "amount": o.amount,
            "status": o.status,
            "notes": o.notes,
        }
        for number, o in enumerate(draft.orders, start=FIRST_ORDER_NUMBER)
    ]
    activities = [
        {
            "date": a.date,
            "customer_id": a.person.customer_id,
            "name": a.person.name,
            "type": a.kind,
            "campaign": a.campaign,
            "status": a.status,
            "notes": a.notes,
        }
        for a in draft.activities
    ]
    return {"customers": customers, "orders": orders, "activities": activities}


def _plant_quirks(
    draft: _Draft, tables: dict[str, list[dict[str, CellValue]]], duplicate: _Person
) -> tuple[Quirk, ...]:
    """Overwrite a few cells with the slips real sheets have; the How-to tab lists them."""
    rng, today = draft.rng, draft.today
    completed = draft.choices["order_status"][0]
    orders, customers = tables["orders"], tables["customers"]
    # Slips go on mid-history completed orders, where they change no archetype.
    middle = [
        i
        for i, o in enumerate(orders)
        if o["status"] == completed and 120 < (today - _date(o["order_date"])).days < 600
    ]
    era = rng.choice([i for i in middle if _date(orders[i]["order_date"]) >= REIWA_START])
    subscription = PRODUCTS["subscription"].price
    yen = rng.choice([i for i in middle if orders[i]["amount"] == subscription and i != era])
    mobile = [i for i, c in enumerate(customers) if str(c["phone"]).startswith("090")]
    phone = rng.choice(mobile)
    market = draft.vocab.market_campaign  # "around April": the seller half remembers the fair
    unreadable = next(i for i, a in enumerate(tables["activities"]) if a["campaign"] == market)
    month = _date(tables["activities"][unreadable]["date"]).month
    duplicate_row = next(
        i for i, c in enumerate(customers) if c["customer_id"] == duplicate.customer_id
    )

    planted = (
        ("orders", era, "order_date", "era_date_text", to_wareki(_date(orders[era]["order_date"]))),
        ("orders", yen, "amount", "amount_text", f"¥{subscription:,}"),
        # Typed into a General cell, Excel stores 090… as a number and drops the 0.
        (
            "customers",
            phone,
            "phone",
            "phone_lost_zero",
            int(str(customers[phone]["phone"]).replace("-", "")),
        ),
        ("activities", unreadable, "date", "unreadable_date", UNREADABLE_DATE[draft.lang](month)),
        ("customers", duplicate_row, "email", "duplicate_customer", duplicate.email),
    )
    for sheet, row, column, _kind, value in planted:
        tables[sheet][row][column] = value
    return tuple(Quirk(*spec) for spec in planted)


# --- small helpers ---------------------------------------------------------------


def to_wareki(date: dt.date) -> str:
    """``2024-03-02`` → ``令和6年3月2日`` (Reiwa era only; its first year is written 元年)."""
    year = date.year - REIWA_START.year + 1
    return f"令和{'元' if year == 1 else year}年{date.month}月{date.day}日"


def to_full_width(text: str) -> str:
    """Printable ASCII as its full-width form (``a@b.jp`` → ``ａ＠ｂ．ｊｐ``)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _weighted(rng: random.Random, weights: Mapping[_T, int]) -> _T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _latest(before: dt.date, *, month: int, day: int) -> dt.date:
    """The last ``month``/``day`` on or before ``before``."""
    candidate = dt.date(before.year, month, day)
    return candidate if candidate <= before else dt.date(before.year - 1, month, day)


def _date(value: CellValue) -> dt.date:
    assert isinstance(value, dt.date)  # rows hold real dates until slips are planted
    return value
