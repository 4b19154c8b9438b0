"""A seeded, labelled, messy Japanese customer list for measuring duplicate matching.

``generate(rows, seed)`` returns one row per *registration* as a seller would have typed
it (``name``, ``name_kana``, ``email``, ``phone``, ``postal_code``, ``address``) plus the
truth (``person``; ``role``: ``person``, ``household`` or ``namesake``; ``household``;
``noise``: what was done to the row).

Names: 20 % come from real frequency lists (佐藤, 鈴木… / 太郎, 陽子…), the rest are
composed from common name kanji with their readings (山+崎 ヤマサキ, 優+斗 ユウト), which
also yields true homophones (優斗 / 悠斗).  Two people share a full name a few times
more often than in a real Japanese list: a harder test, not an easier one.  Itaiji noise
uses the groups of ``templates/name_variants.toml`` (the table is tested separately).

* About 20 % of people are registered two or three times.  Each repeat is re-typed with
  the noise sellers and customers produce: spaces / U+3000 / 様 in names, half-width or
  hiragana furigana, names written in kana only, itaiji (斎藤 / 齋藤, 渡辺 / 渡邊),
  homophone kanji (浩 / 博), e-mail typos, dots and ``+tags``, domain typos, a second
  address, phone notations (``+81``, full-width, the lost leading 0), postal codes with or
  without 〒 and hyphen, addresses as ``1丁目2番3号`` / ``1-2-3`` / ``一丁目2-3``, with or
  without prefecture and building — and sometimes a move, a new phone or a blank field.
* Traps: *households* (a new person with the surname, address and landline of an
  existing one, another given name) and *namesakes* (a new person with exactly the name
  and reading of an existing one, nothing else in common).

``prepare(raw)`` parses the cells with sheetcrm's own parsers and applies the exact
identity rules (:func:`sheetcrm.identity.resolve`), so what reaches
:func:`sheetcrm.matching.find_candidates` is what the pipeline would give it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import cache

import pandas as pd


def _entries(text: str) -> list[list[str]]:
    """Whitespace-separated entries of colon-separated fields (keeps the tables compact)."""
    return [entry.split(":") for entry in text.split()]


# kanji:kana:romaji, roughly by frequency (sampling weights fall off as 1/rank^0.7).
SURNAMES = [
    tuple(fields)
    for fields in _entries("""
    佐藤:サトウ:sato 鈴木:スズキ:suzuki 高橋:タカハシ:takahashi 田中:タナカ:tanaka
    伊藤:イトウ:ito 渡辺:ワタナベ:watanabe 山本:ヤマモト:yamamoto 中村:ナカムラ:nakamura
    小林:コバヤシ:kobayashi 加藤:カトウ:kato 吉田:ヨシダ:yoshida 山田:ヤマダ:yamada
    佐々木:ササキ:sasaki 山口:ヤマグチ:yamaguchi 松本:マツモト:matsumoto 井上:イノウエ:inoue
    木村:キムラ:kimura 林:ハヤシ:hayashi 斎藤:サイトウ:saito 清水:シミズ:shimizu
    山崎:ヤマザキ:yamazaki 森:モリ:mori 池田:イケダ:ikeda 橋本:ハシモト:hashimoto 阿部:アベ:abe
    石川:イシカワ:ishikawa 山下:ヤマシタ:yamashita 中島:ナカジマ:nakajima 石井:イシイ:ishii
    小川:オガワ:ogawa 前田:マエダ:maeda 岡田:オカダ:okada 長谷川:ハセガワ:hasegawa
    藤田:フジタ:fujita 後藤:ゴトウ:goto 近藤:コンドウ:kondo 村上:ムラカミ:murakami
    遠藤:エンドウ:endo 青木:アオキ:aoki 坂本:サカモト:sakamoto 斉藤:サイトウ:saito
    福田:フクダ:fukuda 太田:オオタ:ota 西村:ニシムラ:nishimura 藤井:フジイ:fujii
    金子:カネコ:kaneko 岡本:オカモト:okamoto 藤原:フジワラ:fujiwara 中野:ナカノ:nakano
    三浦:ミウラ:miura 原田:ハラダ:harada 中川:ナカガワ:nakagawa 松田:マツダ:matsuda
    竹内:タケウチ:takeuchi 小野:オノ:ono 田村:タムラ:tamura 中山:ナカヤマ:nakayama
    和田:ワダ:wada 石田:イシダ:ishida 森田:モリタ:morita 上田:ウエダ:ueda 原:ハラ:hara
    内田:ウチダ:uchida 柴田:シバタ:shibata 酒井:サカイ:sakai 宮崎:ミヤザキ:miyazaki
    横山:ヨコヤマ:yokoyama 高木:タカギ:takagi 安藤:アンドウ:ando 宮本:ミヤモト:miyamoto
    大野:オオノ:ono 小島:コジマ:kojima 谷口:タニグチ:taniguchi 今井:イマイ:imai 工藤:クドウ:kudo
    高田:タカダ:takada 増田:マスダ:masuda 丸山:マルヤマ:maruyama 杉山:スギヤマ:sugiyama
    村田:ムラタ:murata 大塚:オオツカ:otsuka 新井:アライ:arai 小山:コヤマ:koyama
    平野:ヒラノ:hirano 藤本:フジモト:fujimoto 河野:コウノ:kono 上野:ウエノ:ueno
    野口:ノグチ:noguchi 武田:タケダ:takeda 松井:マツイ:matsui 千葉:チバ:chiba
    岩崎:イワサキ:iwasaki 菅原:スガワラ:sugawara 木下:キノシタ:kinoshita 久保:クボ:kubo
    佐野:サノ:sano 野村:ノムラ:nomura 松尾:マツオ:matsuo 市川:イチカワ:ichikawa
    菊地:キクチ:kikuchi 杉本:スギモト:sugimoto 古川:フルカワ:furukawa 大西:オオニシ:onishi
    島田:シマダ:shimada 水野:ミズノ:mizuno 桜井:サクライ:sakurai 高野:タカノ:takano
    渡部:ワタナベ:watanabe 吉川:ヨシカワ:yoshikawa 山内:ヤマウチ:yamauchi 西田:ニシダ:nishida
    飯田:イイダ:iida 菊池:キクチ:kikuchi 西川:ニシカワ:nishikawa 小松:コマツ:komatsu
    北村:キタムラ:kitamura 安田:ヤスダ:yasuda 五十嵐:イガラシ:igarashi 川口:カワグチ:kawaguchi
    平田:ヒラタ:hirata 関:セキ:seki 中田:ナカタ:nakata 久保田:クボタ:kubota
    服部:ハットリ:hattori 東:アズマ:azuma 岩田:イワタ:iwata 土屋:ツチヤ:tsuchiya
    川崎:カワサキ:kawasaki 福島:フクシマ:fukushima 本田:ホンダ:honda 辻:ツジ:tsuji
    樋口:ヒグチ:higuchi 秋山:アキヤマ:akiyama 田口:タグチ:taguchi 永井:ナガイ:nagai
    浜田:ハマダ:hamada 広瀬:ヒロセ:hirose 長沢:ナガサワ:nagasawa 高島:タカシマ:takashima
    尾崎:オザキ:ozaki 望月:モチヅキ:mochizuki 富田:トミタ:tomita 国分:コクブ:kokubu
    滝沢:タキザワ:takizawa
""")
]

# kana:romaji:spellings.  The first spelling is the usual one, the rest are homophones
# an IME offers (picking the wrong one is a realistic typo).
GIVEN = [
    (kana, romaji, spellings.split("/"))
    for kana, romaji, spellings in _entries("""
    タロウ:taro:太郎/太朗 イチロウ:ichiro:一郎/一朗 ジロウ:jiro:次郎/二郎
    ヒロシ:hiroshi:博/浩/宏/弘/寛 タカシ:takashi:隆/孝/崇/貴史 ケンタ:kenta:健太/健大
    ユウキ:yuki:勇気/祐樹/裕貴/優希 ハルト:haruto:陽翔/大翔/悠斗 ソウタ:sota:颯太/蒼太/奏太
    ダイスケ:daisuke:大輔/大介 ショウ:sho:翔/翔 ツバサ:tsubasa:翼 マコト:makoto:誠/真
    ケンジ:kenji:健二/賢治/健司 コウジ:koji:浩二/幸司/孝治 マサト:masato:正人/雅人/将人
    ナオキ:naoki:直樹/尚樹 カズヤ:kazuya:和也/一也 タクヤ:takuya:拓也/卓也
    シンジ:shinji:伸二/慎二/真司 ユウタ:yuta:優太/雄太/裕太 リク:riku:陸/陸 レン:ren:蓮/廉
    ミノル:minoru:実/稔 オサム:osamu:修/治 アキラ:akira:明/彰/晃 ススム:susumu:進/晋
    トオル:toru:徹/透/亨 ヨシオ:yoshio:義男/良夫 ノブオ:nobuo:信夫/伸夫 ハナコ:hanako:花子/華子
    ヨウコ:yoko:陽子/洋子/葉子 ケイコ:keiko:恵子/敬子/啓子 ユミコ:yumiko:由美子/裕美子
    マユミ:mayumi:真由美/麻由美 ミサキ:misaki:美咲/岬 ユイ:yui:結衣/唯/由衣
    サクラ:sakura:さくら/桜/咲良 アオイ:aoi:葵/碧 ヒナ:hina:陽菜/日菜 リン:rin:凛/凜
    メグミ:megumi:恵/めぐみ/恵美 アヤ:aya:彩/綾/亜矢 マイ:mai:舞/麻衣 ナナ:nana:奈々/菜々
    トモコ:tomoko:智子/友子/朋子 ヒロミ:hiromi:裕美/博美/弘美 カナ:kana:香奈/加奈/佳奈
    ミホ:miho:美穂/美保 ナオミ:naomi:直美/尚美 ユカ:yuka:由佳/優花/友香 エリ:eri:恵理/絵里
    サチコ:sachiko:幸子/祥子 カズコ:kazuko:和子/一子 アキコ:akiko:明子/昭子/晶子
    ミユキ:miyuki:美由紀/美幸/みゆき チヒロ:chihiro:千尋/知宏 ハルカ:haruka:遥/春香/悠
    ノゾミ:nozomi:希/望 ミツキ:mitsuki:美月/光希 シオリ:shiori:栞/詩織
""")
]

# Parts that compose the long tail of names (kanji:kana:romaji): real lists cover the
# common names, these make the rest, so two customers share a full name about as rarely
# as in a real list (a few times more often, which makes the benchmark harder).
SURNAME_HEADS = _entries("""
    山:ヤマ:yama 中:ナカ:naka 高:タカ:taka 小:コ:ko 大:オオ:o 石:イシ:ishi 松:マツ:matsu
    竹:タケ:take 森:モリ:mori 上:ウエ:ue 北:キタ:kita 西:ニシ:nishi 岩:イワ:iwa 吉:ヨシ:yoshi
    池:イケ:ike 宮:ミヤ:miya 金:カネ:kane 長:ナガ:naga 福:フク:fuku 藤:フジ:fuji 平:ヒラ:hira
    今:イマ:ima 杉:スギ:sugi 桜:サクラ:sakura 黒:クロ:kuro 白:シラ:shira 青:アオ:ao
    早:ハヤ:haya 広:ヒロ:hiro 浜:ハマ:hama 永:ナガ:naga 野:ノ:no 川:カワ:kawa 村:ムラ:mura
    前:マエ:mae 谷:タニ:tani 菊:キク:kiku 柳:ヤナギ:yanagi 富:トミ:tomi 梅:ウメ:ume
    原:ハラ:hara 島:シマ:shima 内:ウチ:uchi 坂:サカ:saka 荒:アラ:ara 新:ニイ:nii 秋:アキ:aki
""")
SURNAME_TAILS = _entries("""
    田:ダ:da 川:カワ:kawa 本:モト:moto 村:ムラ:mura 野:ノ:no 井:イ:i 島:シマ:shima
    崎:サキ:saki 沢:サワ:sawa 山:ヤマ:yama 口:グチ:guchi 木:キ:ki 原:ハラ:hara 谷:タニ:tani
    内:ウチ:uchi 部:ベ:be 橋:ハシ:hashi 岡:オカ:oka 尾:オ:o 浦:ウラ:ura 森:モリ:mori
    坂:サカ:saka 瀬:セ:se 池:イケ:ike 江:エ:e 塚:ツカ:tsuka 倉:クラ:kura 松:マツ:matsu
    辺:ベ:be 浜:ハマ:hama 城:シロ:shiro 石:イシ:ishi
""")
GIVEN_HEADS = _entries("""
    大:ダイ:dai 健:ケン:ken 翔:ショウ:sho 優:ユウ:yu 陽:ヨウ:yo 真:シン:shin 和:カズ:kazu
    智:トモ:tomo 拓:タク:taku 達:タツ:tatsu 直:ナオ:nao 裕:ユウ:yu 春:ハル:haru 浩:コウ:ko
    正:マサ:masa 雅:マサ:masa 幸:コウ:ko 信:ノブ:nobu 友:トモ:tomo 悠:ユウ:yu 亮:リョウ:ryo
    純:ジュン:jun 修:シュウ:shu 康:ヤス:yasu 英:ヒデ:hide 秀:ヒデ:hide 光:コウ:ko
    孝:タカ:taka 隆:タカ:taka 誠:セイ:sei 克:カツ:katsu 勝:カツ:katsu 昭:アキ:aki 明:アキ:aki
""")
GIVEN_TAILS = _entries("""
    太:タ:ta 介:スケ:suke 輔:スケ:suke 也:ヤ:ya 人:ト:to 斗:ト:to 樹:キ:ki 輝:キ:ki
    郎:ロウ:ro 一:イチ:ichi 司:ジ:ji 平:ヘイ:hei 彦:ヒコ:hiko 男:オ:o 夫:オ:o 史:シ:shi
    志:シ:shi 弘:ヒロ:hiro
""")
GIVEN_HEADS_F = _entries("""
    美:ミ:mi 真:マ:ma 千:チ:chi 理:リ:ri 恵:ケイ:kei 由:ユ:yu 優:ユ:yu 陽:ヒ:hi 愛:アイ:ai
    彩:サ:sa 沙:サ:sa 奈:ナ:na 菜:ナ:na 莉:リ:ri 結:ユ:yu 明:アキ:aki 亜:ア:a 知:チ:chi
    和:カズ:kazu 久:ヒサ:hisa 春:ハル:haru 夏:ナツ:natsu 秋:アキ:aki 冬:フユ:fuyu
    花:ハナ:hana 桃:モモ:momo 百:モモ:momo 友:トモ:tomo 智:トモ:tomo
""")
GIVEN_TAILS_F = _entries("""
    子:コ:ko 美:ミ:mi 香:カ:ka 奈:ナ:na 菜:ナ:na 花:カ:ka 恵:エ:e 江:エ:e 代:ヨ:yo 乃:ノ:no
    里:リ:ri 絵:エ:e 衣:イ:i 佳:カ:ka 穂:ホ:ho 実:ミ:mi 希:キ:ki
""")


def _composed(heads: list[list[str]], tails: list[list[str]]) -> list[tuple[str, str, str]]:
    return [(h[0] + t[0], h[1] + t[1], h[2] + t[2]) for h in heads for t in tails if h[0] != t[0]]


#: (kanji, kana, romaji) pools: the real lists (by frequency) and the composed tail.
COMMON_SURNAMES = [tuple(s) for s in SURNAMES]
COMMON_GIVEN = [(spellings[0], kana, romaji) for kana, romaji, spellings in GIVEN]
TAIL_SURNAMES = _composed(SURNAME_HEADS, SURNAME_TAILS)
TAIL_GIVEN = _composed(GIVEN_HEADS, GIVEN_TAILS) + _composed(GIVEN_HEADS_F, GIVEN_TAILS_F)
#: Other spellings of each given-name reading (the IME picked the wrong one).
HOMOPHONES: dict[str, list[str]] = {}
for _kana, _romaji, _spellings in GIVEN:
    HOMOPHONES.setdefault(_kana, []).extend(_spellings)
for _kanji, _kana, _romaji in TAIL_GIVEN:
    HOMOPHONES.setdefault(_kana, []).append(_kanji)
COMMON_SHARE = 0.2  # share of people drawn from the real (common) lists


def _handle(address: str) -> str:
    """What makes an address taken: Gmail ignores dots (taro.suzuki@ is tarosuzuki@), and
    real handles are diverse enough that two people rarely differ by a dot or ``_`` alone
    (this generator's eight patterns would make that common)."""
    local, _, domain = address.rpartition("@")
    return local.replace(".", "").replace("_", "").replace("-", "") + "@" + domain


@cache
def _itaiji() -> dict[str, list[str]]:
    """Each character of templates/name_variants.toml → the other members of its group."""
    from sheetcrm.resources import load_table

    groups = load_table("name_variants")["kanji"]["groups"]
    return {c: [o for o in group if o != c] for group in groups for c in group}


# prefecture:first three postal digits (range):landline area code:cities
PLACES = {
    prefecture: ((int(codes.split("-")[0]), int(codes.split("-")[1])), area, cities.split("/"))
    for prefecture, codes, area, cities in _entries("""
    東京都:100-208:03:渋谷区/新宿区/世田谷区/練馬区/杉並区/大田区/八王子市
    神奈川県:210-259:045:横浜市中区/横浜市港北区/川崎市中原区/相模原市中央区/藤沢市
    大阪府:530-599:06:大阪市北区/大阪市中央区/堺市堺区/豊中市/吹田市
    愛知県:440-498:052:名古屋市中区/名古屋市千種区/豊田市/岡崎市
    北海道:40-99:011:札幌市中央区/札幌市北区/旭川市/函館市
    福岡県:800-839:092:福岡市中央区/福岡市博多区/北九州市小倉北区/久留米市
    埼玉県:330-369:048:さいたま市大宮区/川口市/所沢市/越谷市
    千葉県:260-299:043:千葉市中央区/船橋市/松戸市/柏市
    兵庫県:650-679:078:神戸市中央区/姫路市/西宮市/尼崎市
    京都府:600-629:075:京都市中京区/京都市左京区/宇治市
    宮城県:980-989:022:仙台市青葉区/仙台市宮城野区/石巻市
    広島県:720-739:082:広島市中区/福山市/呉市
""")
}
PREFECTURE_WEIGHTS = [14, 8, 8, 6, 5, 5, 6, 5, 4, 3, 2, 2]
TOWN_STEMS = [
    "本町", "中央", "栄町", "旭町", "緑町", "若葉", "桜台", "大手町", "元町", "新町", "平和町",
    "朝日町", "昭和町", "富士見", "日吉町", "港町", "青葉台", "泉町", "松原", "柳町", "宮前",
    "花園", "神宮前", "梅田", "天神", "霞ケ関", "千石", "白山", "本郷", "春日", "住吉", "寿町",
    "曙町", "錦町", "幸町", "末広町", "弥生町", "東雲", "月見台", "高砂", "御幸町", "浜町",
]  # fmt: skip
TOWN_PREFIXES = ["", "東", "西", "南", "北", "上", "下", "新", "中"]
BUILDINGS = [
    "ハイツ",
    "コーポ",
    "メゾン",
    "パレス",
    "レジデンス",
    "グランド",
    "サンライズ",
    "ヴィラ",
]
DOMAINS = [
    ("gmail.com", 30), ("yahoo.co.jp", 20), ("icloud.com", 8), ("docomo.ne.jp", 8),
    ("ezweb.ne.jp", 5), ("softbank.ne.jp", 4), ("outlook.jp", 4), ("hotmail.co.jp", 4),
    ("nifty.com", 3), ("ybb.ne.jp", 3), ("ocn.ne.jp", 3), ("au.com", 3), ("biglobe.ne.jp", 2),
    ("so-net.ne.jp", 2), ("example-shop.co.jp", 1),
]  # fmt: skip
DOMAIN_TYPOS = {
    "gmail.com": ["gmial.com", "gmai.com", "gmail.co", "gmaill.com", "gamil.com"],
    "yahoo.co.jp": ["yahoo.co.jo", "yaho.co.jp", "yahooo.co.jp"],
    "docomo.ne.jp": ["docomo.co.jp", "docomo.ne.jo", "docomo.jp"],
    "icloud.com": ["iclod.com", "icloud.co"],
}
HANDLES = ["happy", "sky", "blue", "cat", "neko", "sakura", "star", "moon", "sun", "hana", "kuma"]

FULL_WIDTH = str.maketrans(
    "0123456789-abcdefghijklmnopqrstuvwxyz.@_",
    "０１２３４５６７８９－ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ．＠＿",
)
HALF_WIDTH_KANA = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォッャュョー",
        "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｯｬｭｮｰ",
        strict=True,
    )
)
VOICED = dict(
    zip(
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
        "カキクケコサシスセソタチツテトハヒフヘホ",
        strict=True,
    )
)
SEMI_VOICED = dict(zip("パピプペポ", "ハヒフヘホ", strict=True))
KANJI_DIGITS = "〇一二三四五六七八九"


@dataclass
class Person:
    """One real customer: the truth behind one or more registrations."""

    pid: int
    role: str
    surname: tuple[str, str, str]
    given: tuple[str, str, str]  # kanji, kana, romaji
    email: str | None
    phone: str | None  # national notation, 090-1234-5678
    prefecture: str
    city: str
    town: str
    postal: str  # 1234567
    block: tuple[int, ...]
    building: str | None
    room: int | None
    household: int = -1  # pid of the first person at this address and landline


class _Maker:
    def __init__(self, seed: int, rows: int, towns: int | None) -> None:
        self.rng = random.Random(seed)
        self.surname_weights = [1 / (i + 1) ** 0.7 for i in range(len(COMMON_SURNAMES))]
        self.given_weights = [1 / (i + 1) ** 0.5 for i in range(len(COMMON_GIVEN))]
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.landlines: list[Person] = []
        self.readings: dict[int, set[str]] = {}  # given-name readings used per household
        self.towns = self._towns(towns or max(40, rows // 12))

    def _towns(self, count: int) -> list[tuple[str, str, str, str]]:
        rng = self.rng
        prefectures = list(PLACES)
        towns, used, codes = [], set(), set()
        while len(towns) < count:
            pref = rng.choices(prefectures, PREFECTURE_WEIGHTS)[0]
            (low, high), _, cities = PLACES[pref]
            city = rng.choice(cities)
            town = rng.choice(TOWN_PREFIXES) + rng.choice(TOWN_STEMS)
            if (city, town) in used:
                continue
            code = f"{rng.randint(low, high):03d}{rng.randint(0, 9999):04d}"
            if code in codes:
                continue
            used.add((city, town))
            codes.add(code)
            towns.append((pref, city, town, code))
        return towns

    def phone(self, pref: str | None) -> str:
        rng = self.rng
        while True:
            if pref is None:
                number = (
                    f"0{rng.choice('789')}0-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
                )
            else:
                area = PLACES[pref][1]
                local = 10 - len(area)
                middle = rng.randint(2 * 10 ** (local - 5), 10 ** (local - 4) - 1)
                number = f"{area}-{middle}-{rng.randint(0, 9999):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def surname(self) -> tuple[str, str, str]:
        if self.rng.random() < COMMON_SHARE:
            return self.rng.choices(COMMON_SURNAMES, self.surname_weights)[0]
        return self.rng.choice(TAIL_SURNAMES)

    def given(self) -> tuple[str, str, str]:
        if self.rng.random() < COMMON_SHARE:
            return self.rng.choices(COMMON_GIVEN, self.given_weights)[0]
        return self.rng.choice(TAIL_GIVEN)

    def email(self, surname: tuple[str, str, str], given: tuple[str, str, str]) -> str:
        rng = self.rng
        s, g = surname[2], given[2]
        year = rng.randint(60, 105) % 100
        local = rng.choice(
            [
                f"{g}.{s}",
                f"{s}.{g}",
                f"{g}{s}",
                f"{g}_{s}",
                f"{s}{g[0]}{year:02d}",
                f"{g}{year:02d}{rng.randint(1, 12):02d}",
                f"{rng.choice(HANDLES)}.{g}{rng.randint(1, 99)}",
                f"{g[0]}-{s}",
            ]
        )
        domain = rng.choices([d for d, _ in DOMAINS], [w for _, w in DOMAINS])[0]
        address = f"{local}@{domain}"
        while _handle(address) in self.emails:
            address = f"{local}{rng.randint(1, 999)}@{domain}"
        self.emails.add(_handle(address))
        return address

    def person(self, pid: int, people: list[Person]) -> Person:
        rng = self.rng
        roll = rng.random()
        if self.landlines and roll < 0.08:
            return self.household(pid, rng.choice(self.landlines))
        surname, given = self.surname(), self.given()
        if people and roll < 0.11:  # a namesake: same name and reading, nothing else
            other = rng.choice(people)
            surname, given = other.surname, other.given
        pref, city, town, postal = rng.choice(self.towns)
        landline = rng.random() < 0.2
        person = Person(
            pid=pid,
            role="namesake" if people and roll < 0.11 else "person",
            surname=surname,
            given=given,
            email=self.email(surname, given) if rng.random() < 0.9 else None,
            phone=None if rng.random() < 0.08 else self.phone(pref if landline else None),
            prefecture=pref,
            city=city,
            town=town,
            postal=postal,
            block=self.block(),
            building=self.building() if rng.random() < 0.4 else None,
            room=rng.choice([101, 102, 201, 202, 203, 301, 305, 402, 501, 803]),
        )
        if landline and person.phone is not None:
            self.landlines.append(person)
        return person

    def relocated(self, p: Person) -> Person:
        """``p`` after a move: another town, block and building."""
        pref, city, town, postal = self.rng.choice(self.towns)
        building = self.building() if self.rng.random() < 0.4 else None
        return replace(
            p,
            prefecture=pref,
            city=city,
            town=town,
            postal=postal,
            block=self.block(),
            building=building,
        )

    def household(self, pid: int, other: Person) -> Person:
        """Another person at ``other``'s address, sharing its landline, another given name."""
        rng = self.rng
        home = other.household if other.household >= 0 else other.pid
        taken = self.readings.setdefault(home, {other.given[1]})
        given = self.given()
        while given[1] in taken:  # one family does not give two children one name
            given = self.given()
        taken.add(given[1])
        return Person(
            pid=pid,
            role="household",
            household=home,
            surname=other.surname,
            given=given,
            email=self.email(other.surname, given) if rng.random() < 0.6 else None,
            phone=other.phone,
            prefecture=other.prefecture,
            city=other.city,
            town=other.town,
            postal=other.postal,
            block=other.block,
            building=other.building,
            room=other.room,
        )

    def block(self) -> tuple[int, ...]:
        rng = self.rng
        if rng.random() < 0.7:
            return (rng.randint(1, 6), rng.randint(1, 30), rng.randint(1, 25))
        return (rng.randint(1, 2500), rng.randint(1, 40))

    def building(self) -> str:
        rng = self.rng
        return (
            rng.choice(BUILDINGS)
            + rng.choice(TOWN_STEMS).removesuffix("町")
            + rng.choice(["", "II", "2"])
        )


# --- how a registration is typed -------------------------------------------------------


def _kana_text(rng: random.Random, kana: str) -> str:
    style = rng.random()
    if style < 0.55:
        return kana
    if style < 0.8:
        return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)
    out = []
    for c in kana:
        if c in VOICED:
            out.append(HALF_WIDTH_KANA[VOICED[c]] + "ﾞ")
        elif c in SEMI_VOICED:
            out.append(HALF_WIDTH_KANA[SEMI_VOICED[c]] + "ﾟ")
        else:
            out.append(HALF_WIDTH_KANA.get(c, c))
    return "".join(out)


def _spaced(rng: random.Random, family: str, given: str) -> str:
    return family + rng.choice(["", "", " ", "\u3000", "  "]) + given


def _name(rng: random.Random, p: Person, repeat: bool) -> tuple[str, str | None, list[str]]:
    """(name cell, furigana cell, noise applied)."""
    noise = []
    family, given = p.surname[0], p.given[0]
    kana_family, kana_given = p.surname[1], p.given[1]
    variants = _itaiji()
    swappable = [i for i, c in enumerate(family) if c in variants]
    if repeat and swappable and rng.random() < 0.35:
        i = rng.choice(swappable)
        family = family[:i] + rng.choice(variants[family[i]]) + family[i + 1 :]
        noise.append("itaiji")
    homophones = [k for k in HOMOPHONES[kana_given] if k != given]
    if repeat and homophones and rng.random() < 0.07:
        given = rng.choice(homophones)
        noise.append("homophone")
    kana = _spaced(rng, kana_family, kana_given)
    if repeat and rng.random() < 0.06:
        noise.append("kana_typo")
        kana = kana[:-1] + ("ー" if kana[-1] in "ウオ" else kana[-1] + "ー")
    if repeat and rng.random() < 0.08:
        noise.append("kana_only_name")
        name = _kana_text(rng, kana)
        furigana = None
    else:
        name = _spaced(rng, family, given)
        furigana = _kana_text(rng, kana) if rng.random() < 0.6 else None
    if rng.random() < 0.08:
        name += rng.choice(["様", " 様", "さん"])
    return name, furigana, noise


def _email(
    rng: random.Random, p: Person, repeat: bool, maker: _Maker
) -> tuple[str | None, list[str]]:
    if p.email is None:
        return None, []
    local, _, domain = p.email.rpartition("@")
    if not repeat:
        return (p.email if rng.random() > 0.05 else None), []
    roll = rng.random()
    if roll < 0.18:
        return None, ["email_blank"]
    if roll < 0.33:
        return maker.email(p.surname, p.given), ["email_other"]
    if roll < 0.45:
        i = rng.randrange(len(local))
        letters = "abcdefghijklmnopqrstuvwxyz"
        typo = rng.choice(
            [
                local[:i] + local[i + 1 :],
                local[:i] + rng.choice(letters) + local[i + 1 :],
                local[:i] + local[i] + local[i:],
                local[:i] + local[i + 1 : i + 2] + local[i : i + 1] + local[i + 2 :],
            ]
        )
        return f"{typo or local}@{domain}", ["email_typo"]
    if roll < 0.52:
        return (
            f"{local.replace('.', '') if '.' in local else local[:2] + '.' + local[2:]}@{domain}",
            ["email_dots"],
        )
    if roll < 0.56 and domain in DOMAIN_TYPOS:
        return f"{local}@{rng.choice(DOMAIN_TYPOS[domain])}", ["email_domain_typo"]
    if roll < 0.62:
        return p.email.upper() if rng.random() < 0.5 else p.email.translate(FULL_WIDTH), []
    return p.email, []


def _phone(
    rng: random.Random, p: Person, repeat: bool, maker: _Maker
) -> tuple[str | None, list[str]]:
    if p.phone is None:
        return None, []
    if repeat:
        roll = rng.random()
        if roll < 0.15:
            return None, ["phone_blank"]
        if roll < 0.25:
            return maker.phone(None), ["phone_other"]
    digits = p.phone.replace("-", "")
    parts = p.phone.split("-")
    return rng.choice(
        [
            p.phone,
            p.phone,
            digits,
            " ".join(parts),
            "+81-" + p.phone[1:],
            "+81" + digits[1:],
            p.phone.translate(FULL_WIDTH),
            digits[1:],  # Excel ate the leading zero
            f"({parts[0]}){parts[1]}-{parts[2]}",
        ]
    ), []


def _postal(rng: random.Random, code: str) -> str | None:
    if rng.random() < 0.2:
        return None
    dashed = f"{code[:3]}-{code[3:]}"
    return rng.choice(
        [dashed, dashed, code, "〒" + dashed, "〒 " + dashed, dashed.translate(FULL_WIDTH)]
    )


def _address(rng: random.Random, p: Person) -> str | None:
    if rng.random() < 0.12:
        return None
    style = rng.random()
    if len(p.block) == 3:
        c, b, g = p.block
        if style < 0.35:
            block = f"{c}丁目{b}番{g}号"
        elif style < 0.7:
            block = f"{c}-{b}-{g}"
        elif style < 0.85:
            block = f"{KANJI_DIGITS[c]}丁目{b}-{g}"
        else:
            block = f"{c}－{b}－{g}".translate(FULL_WIDTH)
    else:
        b, g = p.block
        block = rng.choice([f"{b}番地{g}", f"{b}-{g}", f"{b}番地の{g}", f"{b}ー{g}"])
    text = p.city + p.town + block
    if rng.random() < 0.7:
        text = p.prefecture + rng.choice(["", " "]) + text
    if p.building and rng.random() < 0.75:
        room = rng.choice([f"{p.room}", f"{p.room}号室", f"-{p.room}"])
        text += (" " if rng.random() < 0.6 else "") + (
            p.building + room if not room.startswith("-") else room
        )
    return text


def generate(rows: int, seed: int = 11, towns: int | None = None) -> pd.DataFrame:
    """``rows`` registrations (customer-list rows) with truth columns.

    Truth: ``person``, ``role`` (``person`` / ``household`` / ``namesake``),
    ``household`` (shared by the people of one address and landline, else the person)
    and ``noise`` (what was done to this row).  ``towns``: how many towns (postal codes)
    customers live in; by default one per 12 rows, a nationwide shop.  A local shop has
    a few dozen, which makes postal-code blocks large.
    """
    maker = _Maker(seed, rows, towns)
    rng = maker.rng
    people: list[Person] = []
    records: list[dict] = []
    while len(records) < rows:
        p = maker.person(len(people), people)
        people.append(p)
        copies = 1
        if rng.random() < 0.2:
            copies = 3 if rng.random() < 0.3 else 2
        moved = None
        for copy in range(copies):
            repeat = copy > 0
            name, furigana, noise = _name(rng, p, repeat)
            email, n2 = _email(rng, p, repeat, maker)
            phone, n3 = _phone(rng, p, repeat, maker)
            if repeat and moved is None and rng.random() < 0.1:
                moved = maker.relocated(p)
            place = moved if repeat and moved is not None else p
            records.append(
                {
                    "customer_id": f"C{len(records) + 1:07d}",
                    "name": name,
                    "name_kana": furigana,
                    "email": email,
                    "phone": phone,
                    "postal_code": _postal(rng, place.postal),
                    "address": _address(rng, place),
                    "person": p.pid,
                    "role": p.role,
                    "household": p.household if p.household >= 0 else p.pid,
                    "noise": ",".join(noise + n2 + n3 + (["moved"] if place is not p else [])),
                }
            )
    return pd.DataFrame(records[:rows])


def prepare(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse ``raw`` with sheetcrm's parsers, apply the exact identity rules.

    Returns ``(customers, truth)``: ``customers`` is the input of
    :func:`sheetcrm.matching.find_candidates`; ``truth`` has ``customer_id``,
    ``person``, ``role`` and ``household`` (of its first row) and ``noise`` (all rows).
    """
    from sheetcrm.identity import resolve
    from sheetcrm.parse.emails import parse_emails
    from sheetcrm.parse.names import clean_names, kana_key, name_key
    from sheetcrm.parse.phones import parse_phones
    from sheetcrm.parse.postal import extract_prefecture, parse_postal_codes
    from sheetcrm.records import CUSTOMER_COLUMNS, ParsedData

    frame = pd.DataFrame(index=pd.RangeIndex(2, len(raw) + 2))
    frame["source_sheet"] = "顧客"
    frame["source_row"] = frame.index
    text = raw.set_index(frame.index)
    frame["customer_id"] = text["customer_id"].astype(object)
    frame["name"] = clean_names(text["name"])
    frame["name_key"] = name_key(text["name"])
    frame["email"] = (
        parse_emails(text["email"]).values.astype(object).where(lambda s: s.notna(), None)
    )
    frame["phone"] = (
        parse_phones(text["phone"]).values.astype(object).where(lambda s: s.notna(), None)
    )
    frame["name_kana"] = clean_names(text["name_kana"])
    frame["kana_key"] = kana_key(text["name_kana"])
    frame["postal_code"] = parse_postal_codes(text["postal_code"]).values
    frame["address"] = text["address"].astype(object)
    frame["prefecture"] = extract_prefecture(text["address"].astype("string"))
    frame = frame.reindex(columns=CUSTOMER_COLUMNS)
    empty = pd.DataFrame()
    resolution = resolve(ParsedData(customers=frame, orders=empty, activities=empty))
    customers = resolution.customers.copy()
    customers["name_key"] = name_key(customers["name"].astype("string"))
    customers["kana_key"] = kana_key(customers["name_kana"].astype("string"))
    row_person = dict(
        zip(
            frame["source_sheet"] + "!" + frame["source_row"].astype(str),
            raw["person"],
            strict=True,
        )
    )
    row_role = dict(zip(row_person, raw["role"], strict=True))
    row_household = dict(zip(row_person, raw["household"], strict=True))
    row_noise = dict(zip(row_person, raw["noise"], strict=True))
    truth = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "person": [row_person[s[0]] for s in customers["sources"]],
            "role": [row_role[s[0]] for s in customers["sources"]],
            "household": [row_household[s[0]] for s in customers["sources"]],
            "noise": [
                ",".join(filter(None, (row_noise[r] for r in s))) for s in customers["sources"]
            ],
        }
    )
    columns = [
        "customer_id",
        "name",
        "name_key",
        "kana_key",
        "email",
        "phone",
        "postal_code",
        "address",
        "prefecture",
    ]
    return customers[columns], truth


def true_pairs(truth: pd.DataFrame) -> set[tuple[str, str]]:
    """Pairs of customer IDs (a < b) that are the same person."""
    pairs = set()
    for _, group in truth.groupby("person"):
        ids = sorted(group["customer_id"])
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs
