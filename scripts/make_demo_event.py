#!/usr/bin/env python3
"""Generate the embedded demo event (assets/demo/) as pretix REST API JSON.

Deterministic: a fixed random seed, no network, Python 3 standard library only. Running it twice
produces byte-identical files. Usage:

    python3 scripts/make_demo_event.py [--out assets/demo]

Writes event.json (one object) and, as pretix list pages {"count", "next", "previous", "results"},
items.json, checkinlists.json, questions.json, subevents.json, orders.json, revokedsecrets.json,
blockedsecrets.json, badgelayouts.json; plus notable.json (scenario -> expected scan answer) and
README.md. Before writing, every notable scenario is replayed through a small re-implementation of
pretix's offline decision order (docs: /work/shared/reference/pretix.md) so the expectations and the
data cannot drift apart.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import unicodedata
from decimal import Decimal, ROUND_HALF_UP

SEED = 20270316
ORGANIZER = "demo"
EVENT_SLUG = "kioskconf27"
BASE_URL = "https://tickets.example.com"
TZ = dt.timezone(dt.timedelta(hours=1))   # Europe/Berlin in winter (CET); all demo times fall before DST
SNAPSHOT = dt.datetime(2027, 3, 16, 9, 0, 0, tzinfo=TZ)   # when the dump was taken

SECRET_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"      # pretix ticket secrets (no i, l, o, 0, 1)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"           # pretix order codes
PSEUDO_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"         # pretix pseudonymization ids

# ---------------------------------------------------------------------------------------------
# Identifiers

ITEM_CONF, ITEM_DAY, ITEM_SPEAKER, ITEM_WORKSHOP, ITEM_DINNER = 101, 102, 103, 104, 105
VAR_REGULAR, VAR_STUDENT = 201, 202
CAT_ADDONS = 51
LIST_MAIN, LIST_WORKSHOP, LIST_LOUNGE = 11, 12, 13
Q_TSHIRT, Q_DIET, Q_DIET_DETAIL, Q_COC, Q_PHONE, Q_COMPANY, Q_DOB = 301, 302, 303, 304, 305, 306, 307
TAX_RULE = 1
DEVICE = 3

DAYPASS_FROM = "2027-03-17T00:00:00+01:00"
DAYPASS_UNTIL = "2027-03-17T23:59:59+01:00"

PRICES = {
    (ITEM_CONF, VAR_REGULAR): "349.00",
    (ITEM_CONF, VAR_STUDENT): "149.00",
    (ITEM_DAY, None): "199.00",
    (ITEM_SPEAKER, None): "0.00",
    (ITEM_WORKSHOP, None): "89.00",
    (ITEM_DINNER, None): "65.00",
}


def iso(t):
    return t.isoformat()


def at(day, hh, mm, ss=0):
    return dt.datetime(2027, 3, day, hh, mm, ss, tzinfo=TZ)


def parse_iso(s):
    return dt.datetime.fromisoformat(s)


def i18n(en, de=None, **more):
    d = {"en": en}
    if de is not None:
        d["de"] = de
    d.update({k.replace("_", "-"): v for k, v in more.items()})
    return d


def money(d):
    return str(Decimal(d).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def tax_of(price):
    p = Decimal(price)
    return money(p - p / Decimal("1.19"))


def page(results):
    return {"count": len(results), "next": None, "previous": None, "results": results}


# ---------------------------------------------------------------------------------------------
# Names: (native, roman) for given and family names, per culture. Family names may be (male,
# female) pairs where the language inflects them.

SPECIAL_ASCII = {"ß": "ss", "ẞ": "SS", "ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                 "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"}
GERMAN_ASCII = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}


def asciify(s, german=False):
    if german:
        s = "".join(GERMAN_ASCII.get(c, c) for c in s)
    s = "".join(SPECIAL_ASCII.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.encode("ascii", "ignore").decode("ascii")


def latin(names):
    """Latin-script names romanise themselves."""
    return [(n, None) for n in names]


# Each culture: given names [(native, roman, gender)], family names [(native, roman) or
# ((native_m, native_f), (roman_m, roman_f))], a formatter, locale, phone prefix, country, weight.
def g(pairs):
    out = []
    for p in pairs:
        if len(p) == 2:
            out.append((p[0], None, p[1]))
        else:
            out.append(p)
    return out


CULTURES = {
    "en": dict(weight=16, locale="en", phone="+44", country="GB", order="gf",
               given=g([("Emily", "f"), ("James", "m"), ("Olivia", "f"), ("Michael", "m"), ("Sarah", "f"),
                        ("David", "m"), ("Hannah", "f"), ("Thomas", "m"), ("Grace", "f"), ("Oliver", "m"),
                        ("Chloe", "f"), ("Samuel", "m")]),
               family=latin(["Smith", "Johnson", "Walker", "Bennett", "Clarke", "Hughes", "Turner",
                             "O'Brien", "Fitzgerald", "McAllister", "Ashworth", "Patel"])),
    "es": dict(weight=9, locale="es", phone="+34", country="ES", order="gff",
               given=g([("José", "m"), ("María", "f"), ("Alejandro", "m"), ("Lucía", "f"), ("Sofía", "f"),
                        ("Íñigo", "m"), ("Begoña", "f"), ("Martín", "m"), ("Ramón", "m"), ("Inés", "f"),
                        ("María José", "f"), ("Jesús", "m")]),
               family=latin(["García", "Martínez", "Fernández", "López", "Muñoz", "Peña", "Ibáñez",
                             "Gómez", "Núñez", "Rodríguez", "Sáez", "Castañeda"])),
    "pt": dict(weight=7, locale="pt-br", phone="+55", country="BR", order="gff",
               given=g([("João", "m"), ("Conceição", "f"), ("Gonçalo", "m"), ("Inês", "f"), ("Tomás", "m"),
                        ("Leonor", "f"), ("Sebastião", "m"), ("Beatriz", "f"), ("Thiago", "m"), ("Lívia", "f")]),
               family=latin(["Gonçalves", "Magalhães", "Araújo", "Simões", "Guimarães", "Brandão", "Sá",
                             "Assunção", "Loureiro", "Falcão"])),
    "pl": dict(weight=7, locale="pl", phone="+48", country="PL", order="gf",
               given=g([("Łukasz", "m"), ("Małgorzata", "f"), ("Wojciech", "m"), ("Agnieszka", "f"),
                        ("Paweł", "m"), ("Zofia", "f"), ("Grzegorz", "m"), ("Katarzyna", "f"),
                        ("Przemysław", "m"), ("Jadwiga", "f")]),
               family=[(("Wiśniewski", "Wiśniewska"), None), (("Wójcik", "Wójcik"), None),
                       (("Lewandowski", "Lewandowska"), None), (("Zieliński", "Zielińska"), None),
                       (("Szymański", "Szymańska"), None), (("Woźniak", "Woźniak"), None),
                       (("Dąbrowski", "Dąbrowska"), None), (("Kozłowski", "Kozłowska"), None),
                       (("Jabłoński", "Jabłońska"), None), (("Gałązka", "Gałązka"), None)]),
    "vi": dict(weight=6, locale="en", phone="+84", country="VN", order="fg",
               given=g([("Thị Hương", "f"), ("Văn Đức", "m"), ("Minh Tuấn", "m"), ("Thu Trang", "f"),
                        ("Quốc Bảo", "m"), ("Ngọc Ánh", "f"), ("Hữu Phước", "m"), ("Thanh Hằng", "f"),
                        ("Đức Anh", "m"), ("Thị Mỹ Duyên", "f")]),
               family=latin(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi"])),
    "de": dict(weight=14, locale="de", phone="+49", country="DE", order="gf", german=True,
               given=g([("Jürgen", "m"), ("Lena", "f"), ("Maximilian", "m"), ("Jörg", "m"), ("Käthe", "f"),
                        ("Anneliese", "f"), ("Lukas", "m"), ("Mareike", "f"), ("Uwe", "m"), ("Brigitte", "f"),
                        ("Sören", "m"), ("Jördis", "f")]),
               family=latin(["Müller", "Schäfer", "Groß", "Weiß", "Köhler", "Strauß", "Hoffmann",
                             "Schröder", "Meißner", "Krüger", "Böhm", "Fußbroich"])),
    "fr": dict(weight=8, locale="fr", phone="+33", country="FR", order="gf",
               given=g([("François", "m"), ("Hélène", "f"), ("Gaëlle", "f"), ("Jérôme", "m"), ("Anaïs", "f"),
                        ("Noël", "m"), ("Céline", "f"), ("Benoît", "m"), ("Élodie", "f"), ("Loïc", "m")]),
               family=latin(["Lefèvre", "Dubois", "Moreau", "Girard", "Rousseau", "Bérenger", "Lemaître",
                             "Fontaine", "Chevalier", "Ménard", "Béranger-Duclos"])),
    "tr": dict(weight=6, locale="tr", phone="+90", country="TR", order="gf",
               given=g([("Ayşe", "f"), ("Barış", "m"), ("Çağla", "f"), ("Emre", "m"), ("Gülşen", "f"),
                        ("Işıl", "f"), ("Kıvanç", "m"), ("Özge", "f"), ("Şule", "f"), ("Uğur", "m"),
                        ("İbrahim", "m")]),
               family=latin(["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk",
                             "Arslan", "Doğan"])),
    "nordic": dict(weight=3, locale="en", phone="+47", country="NO", order="gf",
                   given=g([("Bjørn", "m"), ("Åse", "f"), ("Søren", "m"), ("Ingrid", "f"), ("Håkon", "m"),
                            ("Sigrún", "f"), ("Þórunn", "f")]),
                   family=latin(["Ødegård", "Løvås", "Bråthen", "Sæther", "Haugen", "Ólafsdóttir"])),
    "ru": dict(weight=6, locale="ru", phone="+7", country="RU", order="gf",
               given=[("Алексей", "Aleksey", "m"), ("Дмитрий", "Dmitry", "m"), ("Сергей", "Sergey", "m"),
                      ("Иван", "Ivan", "m"), ("Михаил", "Mikhail", "m"), ("Анна", "Anna", "f"),
                      ("Екатерина", "Ekaterina", "f"), ("Ольга", "Olga", "f"), ("Наталья", "Natalya", "f"),
                      ("Юлия", "Yulia", "f"), ("Пётр", "Pyotr", "m")],
               family=[(("Иванов", "Иванова"), ("Ivanov", "Ivanova")),
                       (("Смирнов", "Смирнова"), ("Smirnov", "Smirnova")),
                       (("Кузнецов", "Кузнецова"), ("Kuznetsov", "Kuznetsova")),
                       (("Соколов", "Соколова"), ("Sokolov", "Sokolova")),
                       (("Лебедев", "Лебедева"), ("Lebedev", "Lebedeva")),
                       (("Новиков", "Новикова"), ("Novikov", "Novikova")),
                       (("Морозов", "Морозова"), ("Morozov", "Morozova")),
                       (("Фёдоров", "Фёдорова"), ("Fyodorov", "Fyodorova")),
                       (("Волков", "Волкова"), ("Volkov", "Volkova"))]),
    "uk": dict(weight=5, locale="uk", phone="+380", country="UA", order="gf",
               given=[("Олександр", "Oleksandr", "m"), ("Андрій", "Andrii", "m"), ("Тарас", "Taras", "m"),
                      ("Богдан", "Bohdan", "m"), ("Євген", "Yevhen", "m"), ("Юрій", "Yurii", "m"),
                      ("Оксана", "Oksana", "f"), ("Ірина", "Iryna", "f"), ("Наталія", "Nataliia", "f"),
                      ("Олена", "Olena", "f"), ("Ївга", "Yivha", "f")],
               family=[("Шевченко", "Shevchenko"), ("Коваленко", "Kovalenko"), ("Бондаренко", "Bondarenko"),
                       ("Ткаченко", "Tkachenko"), ("Кравчук", "Kravchuk"), ("Мельник", "Melnyk"),
                       ("Бойко", "Boiko"), ("Поліщук", "Polishchuk"), ("Гребенюк", "Hrebeniuk"),
                       ("Ґудзь", "Gudz")]),
    "zh": dict(weight=8, locale="zh-hans", phone="+86", country="CN", order="fg_nospace",
               given=[("伟", "Wei", "m"), ("芳", "Fang", "f"), ("秀英", "Xiuying", "f"), ("娜", "Na", "f"),
                      ("敏", "Min", "f"), ("静", "Jing", "f"), ("磊", "Lei", "m"), ("洋", "Yang", "m"),
                      ("志强", "Zhiqiang", "m"), ("晓明", "Xiaoming", "m"), ("雨桐", "Yutong", "f"),
                      ("子涵", "Zihan", "f")],
               family=[("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
                       ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
                       ("欧阳", "Ouyang")]),
    "ja": dict(weight=6, locale="ja", phone="+81", country="JP", order="fg",
               given=[("翔太", "Shota", "m"), ("陽菜", "Hina", "f"), ("蓮", "Ren", "m"), ("結衣", "Yui", "f"),
                      ("大翔", "Hiroto", "m"), ("さくら", "Sakura", "f"), ("健一", "Kenichi", "m"),
                      ("美咲", "Misaki", "f"), ("拓海", "Takumi", "m"), ("優子", "Yuko", "f")],
               family=[("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
                       ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
                       ("小林", "Kobayashi"), ("加藤", "Kato")]),
    "ko": dict(weight=5, locale="en", phone="+82", country="KR", order="fg_nospace",
               given=[("민준", "Minjun", "m"), ("서연", "Seoyeon", "f"), ("지훈", "Jihoon", "m"),
                      ("하은", "Haeun", "f"), ("도윤", "Doyoon", "m"), ("지우", "Jiwoo", "f"),
                      ("현우", "Hyunwoo", "m"), ("수빈", "Subin", "f"), ("예준", "Yejun", "m"), ("지민", "Jimin", "f")],
               family=[("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
                       ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim")]),
    "ar": dict(weight=6, locale="ar", phone="+971", country="AE", order="gf",
               given=[("محمد", "Mohammed", "m"), ("فاطمة", "Fatima", "f"), ("أحمد", "Ahmed", "m"),
                      ("ليلى", "Layla", "f"), ("يوسف", "Youssef", "m"), ("نور", "Nour", "f"),
                      ("عمر", "Omar", "m"), ("مريم", "Maryam", "f"), ("خالد", "Khaled", "m"), ("سلمى", "Salma", "f")],
               family=[("العلي", "Al-Ali"), ("حداد", "Haddad"), ("الخطيب", "Al-Khatib"), ("منصور", "Mansour"),
                       ("الحسيني", "Al-Husseini"), ("الشامي", "Al-Shami"), ("عيسى", "Issa"),
                       ("النجار", "Al-Najjar"), ("سعيد", "Saeed"), ("عبد الله", "Abdullah")]),
    "he": dict(weight=4, locale="he", phone="+972", country="IL", order="gf",
               given=[("נועה", "Noa", "f"), ("יוסף", "Yosef", "m"), ("תמר", "Tamar", "f"), ("איתי", "Itai", "m"),
                      ("שירה", "Shira", "f"), ("אברהם", "Avraham", "m"), ("מיכל", "Michal", "f"),
                      ("דניאל", "Daniel", "m"), ("יעל", "Yael", "f"), ("אריאל", "Ariel", "m")],
               family=[("כהן", "Cohen"), ("לוי", "Levi"), ("מזרחי", "Mizrahi"), ("פרץ", "Peretz"),
                       ("ביטון", "Biton"), ("פרידמן", "Friedman"), ("שפירא", "Shapira"), ("גולן", "Golan"),
                       ("אשכנזי", "Ashkenazi"), ("בן-דוד", "Ben-David")]),
    "el": dict(weight=4, locale="el", phone="+30", country="GR", order="gf",
               given=[("Γιώργος", "Giorgos", "m"), ("Δημήτρης", "Dimitris", "m"), ("Νίκος", "Nikos", "m"),
                      ("Κωνσταντίνος", "Konstantinos", "m"), ("Αλέξανδρος", "Alexandros", "m"),
                      ("Μαρία", "Maria", "f"), ("Ελένη", "Eleni", "f"), ("Κατερίνα", "Katerina", "f"),
                      ("Σοφία", "Sofia", "f"), ("Δέσποινα", "Despoina", "f")],
               family=[(("Παπαδόπουλος", "Παπαδοπούλου"), ("Papadopoulos", "Papadopoulou")),
                       (("Γεωργίου", "Γεωργίου"), ("Georgiou", "Georgiou")),
                       (("Οικονόμου", "Οικονόμου"), ("Oikonomou", "Oikonomou")),
                       (("Βλάχος", "Βλάχου"), ("Vlachos", "Vlachou")),
                       (("Καραγιάννης", "Καραγιάννη"), ("Karagiannis", "Karagianni")),
                       (("Παππάς", "Παππά"), ("Pappas", "Pappa")),
                       (("Μακρής", "Μακρή"), ("Makris", "Makri"))]),
    "hi": dict(weight=6, locale="en", phone="+91", country="IN", order="gf",
               given=[("आरव", "Aarav", "m"), ("प्रिया", "Priya", "f"), ("अर्जुन", "Arjun", "m"),
                      ("अनन्या", "Ananya", "f"), ("रोहन", "Rohan", "m"), ("दीपिका", "Deepika", "f"),
                      ("विक्रम", "Vikram", "m"), ("स्नेहा", "Sneha", "f"), ("आदित्य", "Aditya", "m"),
                      ("कविता", "Kavita", "f")],
               family=[("शर्मा", "Sharma"), ("वर्मा", "Verma"), ("गुप्ता", "Gupta"), ("सिंह", "Singh"),
                       ("पटेल", "Patel"), ("मिश्रा", "Mishra"), ("जोशी", "Joshi"), ("अग्रवाल", "Agarwal"),
                       ("चौधरी", "Chaudhary"), ("श्रीवास्तव", "Srivastava")]),
}
CULTURE_KEYS = list(CULTURES)

EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org"]
STUDENT_DOMAIN = "uni.example.edu"


class Person:
    def __init__(self, name, given_roman, family_roman, culture):
        self.name = name
        self.given_roman = given_roman
        self.family_roman = family_roman
        self.culture = culture
        self.email = None


def make_person(rng, culture=None):
    key = culture or rng.choices(CULTURE_KEYS, weights=[CULTURES[k]["weight"] for k in CULTURE_KEYS])[0]
    c = CULTURES[key]
    gn, gr, gender = rng.choice(c["given"])
    fam_native, fam_roman = rng.choice(c["family"])
    if isinstance(fam_native, tuple):
        fam_native = fam_native[0 if gender == "m" else 1]
        if fam_roman is not None:
            fam_roman = fam_roman[0 if gender == "m" else 1]
    if c["order"] == "gff":   # Iberian: often two family names
        if rng.random() < 0.5:
            other = rng.choice(c["family"])[0]
            if other != fam_native:
                joiner = " " if key == "es" else rng.choice([" ", " da ", " dos "])
                fam_native = fam_native + joiner + other
        name = f"{gn} {fam_native}"
    elif c["order"] == "fg":
        name = f"{fam_native} {gn}"
    elif c["order"] == "fg_nospace":
        name = f"{fam_native}{gn}"
    else:
        name = f"{gn} {fam_native}"
    german = c.get("german", False)
    given_roman = gr if gr is not None else asciify(gn, german)
    family_roman = fam_roman if fam_roman is not None else asciify(fam_native, german)
    return Person(name, given_roman, family_roman, key)


class Emails:
    def __init__(self):
        self.used = set()

    def make(self, rng, person, student=False):
        def part(s):
            s = s.lower().replace("'", "")
            return re.sub(r"[^a-z0-9]+", ".", s).strip(".")
        local = f"{part(person.given_roman)}.{part(person.family_roman)}"
        domain = STUDENT_DOMAIN if student else rng.choice(EMAIL_DOMAINS)
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.used:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.used.add(candidate)
        return candidate


class Codes:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def make(self, alphabet, length):
        while True:
            s = "".join(self.rng.choice(alphabet) for _ in range(length))
            if s not in self.used:
                self.used.add(s)
                return s

    def secret(self):
        return self.make(SECRET_ALPHABET, 32)

    def order_code(self):
        return self.make(CODE_ALPHABET, 5)

    def order_secret(self):
        return self.make(SECRET_ALPHABET, 16)

    def pseudonym(self):
        return self.make(PSEUDO_ALPHABET, 10)


# ---------------------------------------------------------------------------------------------
# Static resources

def event():
    return {
        "name": {"en": "KioskConf 2027", "de": "KioskConf 2027"},
        "slug": EVENT_SLUG,
        "live": True,
        "testmode": False,
        "currency": "EUR",
        "date_from": "2027-03-16T09:00:00+01:00",
        "date_to": "2027-03-17T18:00:00+01:00",
        "date_admission": "2027-03-16T08:00:00+01:00",
        "is_public": True,
        "presale_start": "2026-11-01T10:00:00+01:00",
        "presale_end": "2027-03-15T23:59:59+01:00",
        "location": {"en": "Kongresshalle am See, Seestraße 12, 10115 Berlin",
                     "de": "Kongresshalle am See, Seestraße 12, 10115 Berlin"},
        "geo_lat": 52.5321,
        "geo_lon": 13.3849,
        "has_subevents": False,
        "meta_data": {},
        "seating_plan": None,
        "seat_category_mapping": {},
        "timezone": "Europe/Berlin",
        "item_meta_properties": {},
        "valid_keys": {"pretix_sig1": []},
        "all_sales_channels": True,
        "limit_sales_channels": [],
        "public_url": f"{BASE_URL}/{ORGANIZER}/{EVENT_SLUG}/",
        "plugins": ["pretix.plugins.banktransfer", "pretix.plugins.stripe", "pretix.plugins.paypal2",
                    "pretix.plugins.ticketoutputpdf", "pretix.plugins.badges", "pretix.plugins.sendmail"],
    }


def variation(vid, value, price, position, description=None):
    return {
        "id": vid,
        "value": value,
        "active": True,
        "description": description,
        "position": position,
        "default_price": price,
        "price": price,
        "original_price": None,
        "free_price_suggestion": None,
        "require_approval": False,
        "require_membership": False,
        "require_membership_types": [],
        "require_membership_hidden": False,
        "checkin_attention": False,
        "checkin_text": None,
        "available_from": None,
        "available_until": None,
        "all_sales_channels": True,
        "limit_sales_channels": [],
        "hide_without_voucher": False,
        "meta_data": {},
    }


def item(iid, name, price, position, *, admission=True, personalized=True, category=None,
         checkin_attention=False, checkin_text=None, description=None, variations=(), addons=(),
         validity=None, require_approval=False, generate_tickets=None):
    d = {
        "id": iid,
        "category": category,
        "name": name,
        "internal_name": None,
        "active": True,
        "sales_channels": ["web"],
        "all_sales_channels": True,
        "limit_sales_channels": [],
        "description": description,
        "default_price": price,
        "free_price": False,
        "free_price_suggestion": None,
        "tax_rate": "19.00",
        "tax_rule": TAX_RULE,
        "admission": admission,
        "personalized": personalized,
        "position": position,
        "picture": None,
        "available_from": None,
        "available_until": None,
        "hidden_if_available": None,
        "hidden_if_item_available": None,
        "require_voucher": False,
        "hide_without_voucher": False,
        "allow_cancel": True,
        "min_per_order": None,
        "max_per_order": None,
        "checkin_attention": checkin_attention,
        "checkin_text": checkin_text,
        "has_variations": bool(variations),
        "variations": list(variations),
        "addons": list(addons),
        "bundles": [],
        "original_price": None,
        "require_approval": require_approval,
        "generate_tickets": generate_tickets,
        "allow_waitinglist": True,
        "issue_giftcard": False,
        "show_quota_left": None,
        "meta_data": {},
        "require_membership": False,
        "require_membership_types": [],
        "require_membership_hidden": False,
        "grant_membership_type": None,
        "grant_membership_duration_like_event": True,
        "grant_membership_duration_days": 0,
        "grant_membership_duration_months": 0,
        "validity_mode": None,
        "validity_fixed_from": None,
        "validity_fixed_until": None,
        "validity_dynamic_duration_minutes": None,
        "validity_dynamic_duration_hours": None,
        "validity_dynamic_duration_days": None,
        "validity_dynamic_duration_months": None,
        "validity_dynamic_start_choice": False,
        "validity_dynamic_start_choice_day_limit": None,
        "media_policy": None,
        "media_type": None,
    }
    if validity:
        d["validity_mode"] = "fixed"
        d["validity_fixed_from"], d["validity_fixed_until"] = validity
    return d


def items():
    return [
        item(ITEM_CONF, i18n("Conference pass", "Konferenzticket", fr="Pass conférence", es="Pase de conferencia"),
             PRICES[(ITEM_CONF, VAR_REGULAR)], 0,
             description=i18n("Both conference days, 16–17 March 2027, including lunch and coffee.",
                              "Beide Konferenztage, 16.–17. März 2027, inklusive Mittagessen und Kaffee."),
             variations=[variation(VAR_REGULAR, i18n("Regular", "Regulär"), PRICES[(ITEM_CONF, VAR_REGULAR)], 0),
                         variation(VAR_STUDENT, i18n("Student", "Studierende"), PRICES[(ITEM_CONF, VAR_STUDENT)], 1,
                                   description=i18n("Valid student ID required at the entrance.",
                                                    "Gültiger Studierendenausweis am Einlass erforderlich."))],
             addons=[{"addon_category": CAT_ADDONS, "min_count": 0, "max_count": 2, "position": 0,
                      "price_included": False, "multi_allowed": False}]),
        item(ITEM_DAY, i18n("Day pass — Wednesday", "Tagesticket — Mittwoch", fr="Pass journée — mercredi"),
             PRICES[(ITEM_DAY, None)], 1,
             description=i18n("Valid on Wednesday, 17 March 2027 only.", "Nur gültig am Mittwoch, 17. März 2027."),
             validity=(DAYPASS_FROM, DAYPASS_UNTIL)),
        item(ITEM_SPEAKER, i18n("Speaker pass", "Sprecher*innen-Ticket"), PRICES[(ITEM_SPEAKER, None)], 2,
             checkin_attention=True,
             checkin_text="Speaker: hand over the orange lanyard and point to the speakers' lounge (room 2.14)."),
        item(ITEM_WORKSHOP, i18n("Workshop: Hands-on Rust", "Workshop: Rust zum Anfassen"),
             PRICES[(ITEM_WORKSHOP, None)], 3, category=CAT_ADDONS,
             description=i18n("Tuesday 14:00–17:30, workshop room 1.03. Bring a laptop.",
                              "Dienstag 14:00–17:30, Workshopraum 1.03. Bitte Laptop mitbringen.")),
        item(ITEM_DINNER, i18n("Conference dinner", "Konferenzdinner"), PRICES[(ITEM_DINNER, None)], 4,
             admission=False, personalized=False, category=CAT_ADDONS,
             description=i18n("Tuesday 19:30 at the Spreeblick restaurant.", "Dienstag 19:30 im Restaurant Spreeblick.")),
    ]


def option(oid, identifier, position, answer):
    return {"id": oid, "identifier": identifier, "position": position, "answer": answer}


TSHIRT_OPTIONS = [option(401, "TSHIRT-S", 0, i18n("S", "S")), option(402, "TSHIRT-M", 1, i18n("M", "M")),
                  option(403, "TSHIRT-L", 2, i18n("L", "L")), option(404, "TSHIRT-XL", 3, i18n("XL", "XL"))]
DIET_OPTIONS = [option(405, "DIET-NONE", 0, i18n("No special needs", "Keine besonderen Bedürfnisse")),
                option(406, "DIET-VEGETARIAN", 1, i18n("Vegetarian", "Vegetarisch")),
                option(407, "DIET-VEGAN", 2, i18n("Vegan", "Vegan")),
                option(408, "DIET-OTHER", 3, i18n("Other", "Andere"))]
ADMISSION_ITEMS = [ITEM_CONF, ITEM_DAY, ITEM_SPEAKER, ITEM_WORKSHOP]


def question(qid, text, qtype, position, identifier, items_, *, required=False, ask=False, show=None,
             options=(), help_text=None, dependency=None, dependency_values=(), hidden=False,
             number=(None, None), date=(None, None), datetime_=(None, None)):
    dep_values = list(dependency_values)
    return {
        "id": qid,
        "question": text,
        "help_text": help_text,
        "type": qtype,
        "required": required,
        "items": list(items_),
        "options": list(options),
        "position": position,
        "identifier": identifier,
        "ask_during_checkin": ask,
        "show_during_checkin": ask if show is None else show,
        "hidden": hidden,
        "print_on_invoice": False,
        "valid_number_min": number[0],
        "valid_number_max": number[1],
        "valid_date_min": date[0],
        "valid_date_max": date[1],
        "valid_datetime_min": datetime_[0],
        "valid_datetime_max": datetime_[1],
        "valid_string_length_max": None,
        "valid_file_portrait": False,
        "dependency_question": dependency,
        "dependency_value": dep_values[0] if dep_values else None,
        "dependency_values": dep_values,
    }


def questions():
    return [
        question(Q_TSHIRT, i18n("T-shirt size", "T-Shirt-Größe", fr="Taille de t-shirt", es="Talla de camiseta"),
                 "C", 1, "TSHIRT", [ITEM_CONF, ITEM_SPEAKER], required=True, ask=True, options=TSHIRT_OPTIONS,
                 help_text=i18n("Unisex cut. Pick up your shirt at the registration desk.",
                                "Unisex-Schnitt. Dein Shirt bekommst du an der Registrierung.")),
        question(Q_DIET, i18n("Dietary needs", "Ernährungsbedürfnisse", fr="Régime alimentaire"),
                 "C", 2, "DIET", [ITEM_CONF, ITEM_DAY, ITEM_SPEAKER], required=False, ask=True,
                 options=DIET_OPTIONS),
        question(Q_DIET_DETAIL, i18n("Please specify your dietary needs", "Bitte beschreibe deine Ernährungsbedürfnisse"),
                 "S", 3, "DIETDETAIL", [ITEM_CONF, ITEM_DAY, ITEM_SPEAKER], required=True, ask=True,
                 dependency=Q_DIET, dependency_values=["DIET-OTHER"],
                 help_text=i18n("Allergies, intolerances, religious requirements …",
                                "Allergien, Unverträglichkeiten, religiöse Vorgaben …")),
        question(Q_COC, i18n("I agree to the code of conduct", "Ich stimme dem Verhaltenskodex zu",
                             fr="J’accepte le code de conduite"),
                 "B", 4, "COC", ADMISSION_ITEMS, required=True, ask=True,
                 help_text=i18n("https://kioskconf.example.com/code-of-conduct",
                                "https://kioskconf.example.com/de/verhaltenskodex")),
        question(Q_PHONE, i18n("Emergency contact phone", "Notfall-Telefonnummer"),
                 "TEL", 5, "EMERGENCYPHONE", [ITEM_SPEAKER], required=False, ask=True,
                 help_text=i18n("Only used if we cannot reach you before your talk.",
                                "Nur falls wir dich vor deinem Vortrag nicht erreichen.")),
        question(Q_COMPANY, i18n("Company", "Firma"), "S", 6, "COMPANY", [ITEM_CONF, ITEM_DAY, ITEM_SPEAKER],
                 required=False, ask=False, show=True),
        question(Q_DOB, i18n("Date of birth", "Geburtsdatum"), "D", 7, "DOB", [ITEM_CONF, ITEM_DAY, ITEM_SPEAKER],
                 required=False, ask=False, show=False, date=("1900-01-01", "2011-03-16")),
    ]


QUESTIONS = questions()
QUESTION_BY_ID = {q["id"]: q for q in QUESTIONS}
OPTION_BY_ID = {o["id"]: (q, o) for q in QUESTIONS for o in q["options"]}

LOUNGE_RULE = {"and": [
    {"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", str(ITEM_SPEAKER), "Speaker pass"]}]}]},
    {"<": [{"var": "entries_today"}, 3]},
]}


def checkin_list(lid, name, *, all_products, limit_products=(), include_pending=False, allow_multiple=False,
                 allow_after_exit=True, addon_match=False, rules=None):
    return {
        "id": lid,
        "name": name,
        "checkin_count": 0,
        "position_count": 0,
        "all_products": all_products,
        "limit_products": list(limit_products),
        "include_pending": include_pending,
        "subevent": None,
        "allow_multiple_entries": allow_multiple,
        "allow_entry_after_exit": allow_after_exit,
        "exit_all_at": None,
        "rules": rules if rules is not None else {},
        "addon_match": addon_match,
        "auto_checkin_sales_channels": [],
        "ignore_in_statistics": False,
        "consider_tickets_used": True,
    }


def checkin_lists():
    return [
        checkin_list(LIST_MAIN, "Main entrance", all_products=True),
        checkin_list(LIST_WORKSHOP, "Workshop room", all_products=False, limit_products=[ITEM_WORKSHOP],
                     addon_match=True),
        checkin_list(LIST_LOUNGE, "Speakers' lounge", all_products=False,
                     limit_products=[ITEM_SPEAKER, ITEM_CONF], allow_multiple=True, rules=LOUNGE_RULE),
    ]


def badge_layouts():
    # Default page: 8 in x 3.25 in = 203.20 mm x 82.55 mm; coordinates from the bottom-left, mm.
    def text(content, left, bottom, width, size, *, bold=False, align="left", autoresize=False, color=(0, 0, 0, 1)):
        return {"type": "textarea", "page": 1, "locale": "", "left": f"{left:.2f}", "bottom": f"{bottom:.2f}",
                "width": f"{width:.2f}", "fontsize": f"{size:.1f}", "color": list(color),
                "fontfamily": "Open Sans", "bold": bold, "italic": False, "downward": False,
                "content": content, "text": "", "text_i18n": {}, "rotation": 0, "align": align,
                "lineheight": "1.15", "autoresize": autoresize}
    layout = [
        text("attendee_name", 10, 48, 140, 26, bold=True, autoresize=True),
        text("event_name", 10, 20, 140, 13, color=(68, 68, 68, 1)),
        text("itemvar", 10, 10, 140, 11, color=(0, 82, 204, 1)),
        {"type": "barcodearea", "page": 1, "left": "158.20", "bottom": "17.28", "size": "40.00",
         "content": "secret", "text": "", "text_i18n": {}, "nowhitespace": False},
    ]
    return [{
        "id": 1,
        "name": "KioskConf badge",
        "default": True,
        "layout": layout,
        "background": None,
        "item_assignments": [{"id": n + 1, "item": iid, "layout": 1}
                             for n, iid in enumerate([ITEM_CONF, ITEM_DAY, ITEM_SPEAKER])],
    }]


# ---------------------------------------------------------------------------------------------
# Orders

COMPANIES = ["Acme GmbH", "Globex Corporation", "Initech", "Umbrella Labs", "Stark Industries",
             "Wayne Enterprises", "Soylent AG", "Hooli", "Vandelay Industries", "Müller & Söhne KG",
             "Øresund Systems ApS", "Café Büro SARL", "Ñandú Software S.L.", "Łódź Tech sp. z o.o.",
             "株式会社サンプル", "示例科技有限公司", "ООО «Пример»", "Freelance"]
DIET_DETAILS = ["No nuts (severe allergy)", "Halal", "Kosher", "Lactose-free", "Gluten-free (coeliac)",
                "Pescatarian", "Keine Meeresfrüchte", "Sans porc, merci", "Low FODMAP"]


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.codes = Codes(rng)
        self.emails = Emails()
        self.next_position_id = 18301
        self.orders = []
        self.used_names = set()

    def person(self, culture=None):
        for _ in range(50):
            p = make_person(self.rng, culture)
            if p.name not in self.used_names:
                break
        self.used_names.add(p.name)
        return p

    def phone(self, person):
        prefix = CULTURES[person.culture]["phone"]
        digits = "".join(self.rng.choice("0123456789") for _ in range(9))
        return prefix + str(self.rng.randint(1, 9)) + digits

    # Answers ---------------------------------------------------------------------------------

    def answer(self, qid, text, option_ids=()):
        q = QUESTION_BY_ID[qid]
        return {"question": qid, "answer": text, "question_identifier": q["identifier"],
                "options": list(option_ids),
                "option_identifiers": [OPTION_BY_ID[o][1]["identifier"] for o in option_ids]}

    def choice_answer(self, qid, oid):
        return self.answer(qid, OPTION_BY_ID[oid][1]["answer"]["en"], [oid])

    def answers_for(self, item_id, person, *, tshirt=True, coc=True, diet=None, diet_detail=True,
                    phone=True, company=None):
        rng = self.rng
        out = []
        if item_id in (ITEM_CONF, ITEM_SPEAKER) and tshirt:
            out.append(self.choice_answer(Q_TSHIRT, rng.choices([401, 402, 403, 404], [20, 35, 30, 15])[0]))
        if item_id in (ITEM_CONF, ITEM_DAY, ITEM_SPEAKER):
            if diet is None:
                diet = rng.choices([405, 406, 407, 408], [68, 16, 9, 7])[0]
            out.append(self.choice_answer(Q_DIET, diet))
            if diet == 408 and diet_detail:
                out.append(self.answer(Q_DIET_DETAIL, rng.choice(DIET_DETAILS)))
        if item_id in ADMISSION_ITEMS and coc:
            out.append(self.answer(Q_COC, "True"))
        if item_id == ITEM_SPEAKER and phone:
            out.append(self.answer(Q_PHONE, self.phone(person)))
        if item_id in (ITEM_CONF, ITEM_DAY, ITEM_SPEAKER):
            if company is None and rng.random() < 0.6:
                company = rng.choice(COMPANIES)
            if company:
                out.append(self.answer(Q_COMPANY, company))
            if rng.random() < 0.25:
                born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 44))
                out.append(self.answer(Q_DOB, born.isoformat()))
        return out

    # Positions -------------------------------------------------------------------------------

    def position(self, code, item_id, variation_id, person, *, attendee_email=None, addon_to=None,
                 answers=None, checkins=(), blocked=None, canceled=False, downloads=True, **answer_kw):
        pid = self.next_position_id
        self.next_position_id += 1
        price = PRICES[(item_id, variation_id)]
        is_day = item_id == ITEM_DAY
        if answers is None:
            answers = self.answers_for(item_id, person, **answer_kw) if person else []
        return {
            "id": pid,
            "order": code,
            "positionid": 0,   # filled in by order()
            "canceled": canceled,
            "item": item_id,
            "variation": variation_id,
            "price": price,
            "attendee_name": person.name if person else None,
            "attendee_name_parts": {"_scheme": "full", "full_name": person.name} if person else {},
            "attendee_email": attendee_email,
            "company": None,
            "street": None,
            "zipcode": None,
            "city": None,
            "country": None,
            "state": None,
            "discount": None,
            "voucher": None,
            "tax_rate": "19.00",
            "tax_value": tax_of(price),
            "tax_rule": TAX_RULE,
            "secret": self.codes.secret(),
            "addon_to": addon_to,
            "subevent": None,
            "pseudonymization_id": self.codes.pseudonym(),
            "seat": None,
            "checkins": list(checkins),
            "downloads": ([{"output": "pdf",
                            "url": f"{BASE_URL}/api/v1/organizers/{ORGANIZER}/events/{EVENT_SLUG}"
                                   f"/orderpositions/{pid}/download/pdf/"}] if downloads else []),
            "answers": answers,
            "blocked": blocked,
            "valid_from": DAYPASS_FROM if is_day else None,
            "valid_until": DAYPASS_UNTIL if is_day else None,
            "is_bundled": False,
        }

    def order(self, positions_spec, *, buyer, status="p", created=None, require_approval=False,
              valid_if_pending=False, checkin_attention=False, checkin_text=None, provider=None,
              student=False):
        """positions_spec: list of dicts with keys item, variation, person, addons=[...], and
        position() keyword arguments. Returns (order, [positions in order])."""
        rng = self.rng
        code = self.codes.order_code()
        if created is None:
            start = dt.datetime(2026, 11, 2, 8, 0, tzinfo=TZ)
            created = start + dt.timedelta(seconds=rng.randint(0, int((dt.datetime(2027, 3, 10, 22, 0, tzinfo=TZ)
                                                                         - start).total_seconds())))
        buyer.email = buyer.email or self.emails.make(rng, buyer, student=student)
        paid = status == "p"
        positions, flat = [], []
        tickets = status in ("p",) or (status == "n" and valid_if_pending)
        for spec in positions_spec:
            spec = dict(spec)
            addons = spec.pop("addons", [])
            parent = self.position(code, spec.pop("item"), spec.pop("variation", None), spec.pop("person"),
                                   downloads=tickets, **spec)
            flat.append(parent)
            for a in addons:
                a = dict(a)
                item_id = a.pop("item")
                flat.append(self.position(code, item_id, a.pop("variation", None), a.pop("person"),
                                          addon_to=parent["id"], downloads=tickets and item_id != ITEM_DINNER,
                                          **a))
        for n, p in enumerate(flat, 1):
            p["positionid"] = n
            positions.append(p)
        total = money(sum(Decimal(p["price"]) for p in positions if not p["canceled"]))
        if provider is None:
            provider = "free" if Decimal(total) == 0 else rng.choice(["stripe", "stripe", "paypal2", "banktransfer"])
        if status != "p" and provider in ("stripe", "paypal2"):
            provider = "banktransfer"
        paid_at = created + dt.timedelta(minutes=rng.randint(1, 30) if provider != "banktransfer"
                                         else rng.randint(60 * 24, 60 * 24 * 5))
        if paid_at > SNAPSHOT - dt.timedelta(hours=12):
            paid_at = created + dt.timedelta(minutes=5)
        payment_state = {"p": "confirmed", "n": "created", "e": "canceled", "c": "canceled"}[status]
        payments = [] if provider == "free" and status != "p" else [{
            "local_id": 1,
            "state": payment_state,
            "amount": total,
            "created": iso(created),
            "payment_date": iso(paid_at) if paid else None,
            "provider": provider,
            "payment_url": None,
            "details": {},
        }]
        last_modified = paid_at if paid else created
        cancellation_date = None
        if status == "c":
            cancellation_date = created + dt.timedelta(days=rng.randint(2, 20))
            last_modified = cancellation_date
        if status == "e":
            last_modified = created + dt.timedelta(days=14, minutes=3)
        for p in positions:
            for c in p["checkins"]:
                last_modified = max(last_modified, parse_iso(c["datetime"]))
        o = {
            "code": code,
            "event": EVENT_SLUG,
            "status": status,
            "testmode": False,
            "secret": self.codes.order_secret(),
            "email": buyer.email,
            "phone": None,
            "customer": None,
            "locale": CULTURES[buyer.culture]["locale"],
            "sales_channel": "web",
            "datetime": iso(created),
            "expires": iso(created + dt.timedelta(days=14)),
            "payment_date": paid_at.date().isoformat() if paid else None,
            "payment_provider": provider,
            "fees": [],
            "total": total,
            "comment": "",
            "custom_followup_at": None,
            "checkin_attention": checkin_attention,
            "checkin_text": checkin_text,
            "require_approval": require_approval,
            "valid_if_pending": valid_if_pending,
            "invoice_address": None,
            "positions": positions,
            "downloads": ([{"output": "pdf", "url": f"{BASE_URL}/api/v1/organizers/{ORGANIZER}/events/"
                                                    f"{EVENT_SLUG}/orders/{code}/download/pdf/"}]
                          if tickets else []),
            "payments": payments,
            "refunds": [],
            "last_modified": iso(last_modified),
            "url": f"{BASE_URL}/{ORGANIZER}/{EVENT_SLUG}/order/{code}/",
            "cancellation_date": iso(cancellation_date) if cancellation_date else None,
        }
        self.orders.append(o)
        return o, positions


def checkin(list_id, when, kind="entry"):
    return {"list": list_id, "datetime": iso(when), "type": kind, "gate": None, "device": DEVICE,
            "auto_checked_in": False}


# ---------------------------------------------------------------------------------------------
# The event's orders: the notable scenarios first, then a crowd.

def build(rng):
    b = Builder(rng)
    notable = {}
    people = {}

    def note(name, pos, list_id, when, status, reason, text, **extra):
        entry = {"secret": pos["secret"] if isinstance(pos, dict) else pos, "list": list_id, "at": iso(when),
                 "expect_status": status, "expect_reason": reason}
        entry.update(extra)
        entry["note"] = text
        notable[name] = entry
        if isinstance(pos, dict):
            people[name] = pos

    T = at(16, 9, 30)        # Tuesday morning, the doors are open
    W = at(17, 9, 30)        # Wednesday morning

    def conf(person, **kw):
        return dict(item=ITEM_CONF, variation=VAR_REGULAR, person=person, **kw)

    # 1. plain, paid, all answers present
    buyer = b.person("en")
    _, ps = b.order([conf(buyer)], buyer=buyer)
    note("ok_regular", ps[0], LIST_MAIN, T, "ok", None, "Paid conference pass, every check-in answer present.",
         expect_require_attention=False)

    buyer = b.person("ja")
    _, ps = b.order([dict(item=ITEM_CONF, variation=VAR_STUDENT, person=buyer)], buyer=buyer, student=True)
    note("ok_student", ps[0], LIST_MAIN, T, "ok", None, "Paid conference pass, Student variation.",
         expect_require_attention=False)

    # 2. pending orders
    buyer = b.person("es")
    _, ps = b.order([conf(buyer)], buyer=buyer, status="n", created=at(3, 11, 4, 51))
    note("unpaid", ps[0], LIST_MAIN, T, "error", "unpaid", "Pending order (bank transfer not received); list 11 does "
         "not include pending orders.")

    buyer = b.person("uk")
    _, ps = b.order([conf(buyer)], buyer=buyer, status="n", require_approval=True, created=at(8, 16, 20, 2))
    note("unapproved", ps[0], LIST_MAIN, T, "error", "unapproved", "Pending order that still awaits the organiser's "
         "approval (require_approval).")

    buyer = b.person("fr")
    _, ps = b.order([conf(buyer)], buyer=buyer, status="n", valid_if_pending=True, created=at(1, 9, 12, 40),
                    provider="banktransfer")
    note("pending_valid_if_pending", ps[0], LIST_MAIN, T, "ok", None, "Pending order marked valid_if_pending "
         "(invoice to be paid later): admitted.", expect_require_attention=False)

    # 3. canceled / expired
    buyer = b.person("ru")
    _, ps = b.order([conf(buyer)], buyer=buyer, status="c", created=dt.datetime(2027, 1, 12, 14, 2, 9, tzinfo=TZ))
    note("canceled_order", ps[0], LIST_MAIN, T, "error", "canceled", "The whole order was canceled.")

    buyer = b.person("pt")
    _, ps = b.order([dict(item=ITEM_DAY, person=buyer)], buyer=buyer, status="e",
                    created=dt.datetime(2027, 2, 3, 20, 45, 0, tzinfo=TZ))
    note("expired_order", ps[0], LIST_MAIN, W, "error", "canceled", "Order expired unpaid (status e); scanned on the "
         "day pass's valid day so only the order status decides.")

    buyer, friend = b.person("pl"), b.person("pl")
    _, ps = b.order([conf(buyer), conf(friend, canceled=True)], buyer=buyer)
    note("canceled_position", ps[1], LIST_MAIN, T, "error", "canceled", "Second ticket of a paid order, canceled on "
         "its own (position canceled: true); the first ticket of the order is still valid.")

    # 4. blocked
    buyer = b.person("zh")
    _, ps = b.order([conf(buyer, blocked=["admin"])], buyer=buyer)
    blocked_position = ps[0]
    note("blocked", ps[0], LIST_MAIN, T, "error", "blocked", "Position blocked by an administrator "
         "(blocked: [\"admin\"]); also listed in blockedsecrets.")

    # 5. day pass, valid only on Wednesday
    buyer = b.person("tr")
    _, ps = b.order([dict(item=ITEM_DAY, person=buyer)], buyer=buyer)
    note("daypass_tuesday", ps[0], LIST_MAIN, T, "error", "invalid_time", "Day pass for Wednesday scanned on Tuesday "
         "(valid_from 2027-03-17T00:00:00+01:00).")
    note("daypass_wednesday", ps[0], LIST_MAIN, W, "ok", None, "The same day pass on Wednesday.",
         expect_require_attention=False)

    # 6. earlier check-ins
    buyer = b.person("vi")
    _, ps = b.order([conf(buyer, checkins=[checkin(LIST_MAIN, at(16, 8, 31, 12))])], buyer=buyer)
    note("already_redeemed", ps[0], LIST_MAIN, T, "error", "already_redeemed", "Already entered through the main "
         "entrance at 08:31:12 (a check-in in the synced data).")

    buyer = b.person("de")
    _, ps = b.order([conf(buyer, checkins=[checkin(LIST_MAIN, at(16, 8, 12, 5)),
                                          checkin(LIST_MAIN, at(16, 8, 47, 40), "exit")])], buyer=buyer)
    note("reentry_after_exit", ps[0], LIST_MAIN, T, "ok", None, "Entered at 08:12, left at 08:47; the main entrance "
         "allows entry after exit.", expect_require_attention=False)

    # 7. workshop room with add-on matching
    buyer = b.person("ko")
    _, ps = b.order([conf(buyer, addons=[dict(item=ITEM_WORKSHOP, person=buyer),
                                          dict(item=ITEM_DINNER, person=None)])], buyer=buyer)
    note("workshop_addon_match", ps[0], LIST_WORKSHOP, at(16, 13, 50), "ok", None, "Conference ticket whose order "
         "includes the workshop add-on: list 12 (addon_match) resolves the scan to the add-on position.",
         expect_require_attention=False, expect_position=ps[1]["id"])
    buyer = b.person("pt")
    _, ps = b.order([dict(item=ITEM_CONF, variation=VAR_STUDENT, person=buyer,
                          addons=[dict(item=ITEM_WORKSHOP, person=buyer)])], buyer=buyer, student=True)
    note("workshop_addon_own_secret", ps[1], LIST_WORKSHOP, at(16, 13, 52), "ok", None,
         "A workshop add-on scanned by its own secret (another attendee than workshop_addon_match).",
         expect_require_attention=False, expect_position=ps[1]["id"])
    buyer = b.person("ar")
    _, ps = b.order([conf(buyer)], buyer=buyer)
    note("workshop_no_addon", ps[0], LIST_WORKSHOP, at(16, 13, 50), "error", "product", "Conference ticket without "
         "a workshop add-on at the workshop room.")

    # 8. speakers
    buyer = b.person("he")
    _, ps = b.order([dict(item=ITEM_SPEAKER, person=buyer)], buyer=buyer, created=at(2, 10, 0, 0) - dt.timedelta(days=30))
    note("speaker_main_entrance", ps[0], LIST_MAIN, T, "ok", None, "Speaker pass (item checkin_attention): admitted, "
         "staff attention required.", expect_require_attention=True)
    buyer = b.person("el")
    _, ps = b.order([dict(item=ITEM_SPEAKER, person=buyer)], buyer=buyer, created=at(2, 10, 5, 0) - dt.timedelta(days=31))
    note("speaker_lounge", ps[0], LIST_LOUNGE, T, "ok", None, "Speaker at the speakers' lounge: rule passes "
         "(speaker pass, fewer than 3 entries today).", expect_require_attention=True)
    buyer = b.person("hi")
    _, ps = b.order([dict(item=ITEM_SPEAKER, person=buyer,
                          checkins=[checkin(LIST_LOUNGE, at(16, 8, 5, 31)), checkin(LIST_LOUNGE, at(16, 8, 22, 10)),
                                    checkin(LIST_LOUNGE, at(16, 8, 44, 57))])],
                    buyer=buyer, created=at(2, 10, 9, 0) - dt.timedelta(days=29))
    note("speaker_lounge_limit", ps[0], LIST_LOUNGE, T, "error", "rules", "Speaker who already entered the lounge 3 "
         "times today (08:05, 08:22, 08:44): entries_today < 3 fails.")
    note("speaker_lounge_next_day", ps[0], LIST_LOUNGE, W, "ok", None, "The same speaker on Wednesday: "
         "entries_today is 0 again.", expect_require_attention=True)
    buyer = b.person("nordic")
    _, ps = b.order([conf(buyer)], buyer=buyer)
    note("conference_pass_lounge", ps[0], LIST_LOUNGE, T, "error", "rules", "Conference pass is on list 13's "
         "products but the rule admits speaker passes only.")

    # 9. questions at check-in
    buyer = b.person("de")
    _, ps = b.order([conf(buyer, tshirt=False)], buyer=buyer)
    note("incomplete_tshirt", ps[0], LIST_MAIN, T, "incomplete", None, "T-shirt size (required, asked at check-in) "
         "was never answered.", expect_questions=[Q_TSHIRT])
    buyer = b.person("en")
    _, ps = b.order([conf(buyer, coc=False)], buyer=buyer)
    note("incomplete_code_of_conduct", ps[0], LIST_MAIN, T, "incomplete", None, "Code of conduct not yet accepted "
         "(required boolean).", expect_questions=[Q_COC])
    buyer = b.person("es")
    _, ps = b.order([dict(item=ITEM_DAY, person=buyer, diet=408, diet_detail=False)], buyer=buyer)
    note("incomplete_dietary_details", ps[0], LIST_MAIN, W, "incomplete", None, "Dietary needs 'Other' without the "
         "conditional 'Please specify' answer (day pass, scanned on Wednesday).", expect_questions=[Q_DIET_DETAIL])

    # 10. order flagged for attention
    buyer = b.person("fr")
    _, ps = b.order([conf(buyer)], buyer=buyer, checkin_attention=True,
                    checkin_text="Press badge: please hand over the press lanyard.")
    note("order_attention", ps[0], LIST_MAIN, T, "ok", None, "Regular ticket in an order flagged checkin_attention "
         "(press).", expect_require_attention=True)

    # 11. a formerly blocked, now unblocked ticket
    buyer = b.person("tr")
    _, ps = b.order([conf(buyer)], buyer=buyer)
    unblocked_position = ps[0]
    note("unblocked_again", ps[0], LIST_MAIN, T, "ok", None, "Was blocked once and unblocked again: blockedsecrets "
         "lists it with blocked: false, the position has blocked: null.", expect_require_attention=False)

    # ---- the crowd -------------------------------------------------------------------------
    target_orders = 230
    crowd_checkins = 0
    extra_incomplete = {"tshirt": 0, "coc": 0}
    while len(b.orders) < target_orders:
        n = rng.choices([1, 2, 3], [77, 18, 5])[0]
        kind = rng.choices(["conf", "student", "day", "speaker"], [64, 16, 12, 8])[0]
        if kind == "speaker":
            n = 1
        buyer = b.person()
        members = [buyer] + [b.person(buyer.culture if rng.random() < 0.6 else None) for _ in range(n - 1)]
        specs = []
        for m_index, m in enumerate(members):
            k = kind if m_index == 0 else rng.choices(["conf", "student", "day"], [70, 15, 15])[0]
            spec = {"person": m}
            if k in ("conf", "student"):
                spec.update(item=ITEM_CONF, variation=VAR_REGULAR if k == "conf" else VAR_STUDENT)
                addons = []
                if rng.random() < 0.085:
                    addons.append(dict(item=ITEM_WORKSHOP, person=m))
                if rng.random() < 0.09:
                    addons.append(dict(item=ITEM_DINNER, person=None))
                if addons:
                    spec["addons"] = addons
            elif k == "day":
                spec.update(item=ITEM_DAY)
            else:
                spec.update(item=ITEM_SPEAKER)
            if m_index > 0 and rng.random() < 0.5:
                spec["attendee_email"] = b.emails.make(rng, m)
            if spec["item"] in (ITEM_CONF, ITEM_SPEAKER) and rng.random() < 0.04:
                spec["tshirt"] = False
                extra_incomplete["tshirt"] += 1
            elif rng.random() < 0.02:
                spec["coc"] = False
                extra_incomplete["coc"] += 1
            if spec["item"] != ITEM_DAY and rng.random() < 0.05:
                spec["checkins"] = [checkin(LIST_MAIN, at(16, 8, rng.randint(0, 58), rng.randint(0, 59)))]
                crowd_checkins += 1
            specs.append(spec)
        status = rng.choices(["p", "n", "c", "e"], [94, 3, 2, 1])[0]
        if status != "p":
            for s in specs:
                s.pop("checkins", None)
        b.order(specs, buyer=buyer, status=status, student=(kind == "student"))

    # Orders in pretix's default order (by creation time); position ids grow with it, as in pretix.
    b.orders.sort(key=lambda o: o["datetime"])
    renumber, next_id = {}, 18301
    for o in b.orders:
        for p in o["positions"]:
            renumber[p["id"]], next_id = next_id, next_id + 1
    for o in b.orders:
        for p in o["positions"]:
            p["id"] = renumber[p["id"]]
            if p["addon_to"] is not None:
                p["addon_to"] = renumber[p["addon_to"]]
            for d in p["downloads"]:
                d["url"] = (f"{BASE_URL}/api/v1/organizers/{ORGANIZER}/events/{EVENT_SLUG}"
                            f"/orderpositions/{p['id']}/download/{d['output']}/")
    for s in notable.values():
        if "expect_position" in s:
            s["expect_position"] = renumber[s["expect_position"]]

    unknown = b.codes.secret()
    note("unknown_secret", unknown, LIST_MAIN, T, "error", "invalid", "A well-formed secret that no ticket has.")
    revoked = [b.codes.secret() for _ in range(3)]
    note("revoked_secret", revoked[0], LIST_MAIN, T, "error", "invalid", "Listed in revokedsecrets (an old secret "
         "that was regenerated). No current position has it and it is not a signed ticket, so the offline lookup "
         "answers invalid (pretix online would say revoked).")

    return b, notable, people, blocked_position, unblocked_position, revoked


# ---------------------------------------------------------------------------------------------
# A small re-implementation of the offline decision order, used to verify notable.json.

def tz_date(s):
    return parse_iso(s).astimezone(TZ).date()


def evaluate(data, scenario):
    lists = {l["id"]: l for l in data["checkinlists"]}
    items_ = {i["id"]: i for i in data["items"]}
    clist = lists[scenario["list"]]
    now = parse_iso(scenario["at"])
    positions, order_of = [], {}
    for o in data["orders"]:
        for p in o["positions"]:
            order_of[p["id"]] = o
            positions.append(p)
    by_secret = [p for p in positions if p["secret"] == scenario["secret"]]
    if not by_secret:
        return {"status": "error", "reason": "invalid"}
    pos = by_secret[0]

    def on_list(p):
        return clist["all_products"] or p["item"] in clist["limit_products"]

    if not on_list(pos) and clist["addon_match"]:
        cands = [a for a in positions if a["addon_to"] == pos["id"] and not a["canceled"] and on_list(a)]
        if len(cands) == 1:
            pos = cands[0]
        elif len(cands) > 1:
            return {"status": "error", "reason": "ambiguous"}
    order = order_of[pos["id"]]
    if order["status"] in ("c", "e") or pos["canceled"]:
        return {"status": "error", "reason": "canceled"}
    if pos["blocked"]:
        return {"status": "error", "reason": "blocked"}
    if order["status"] == "n" and order["require_approval"]:
        return {"status": "error", "reason": "unapproved"}
    if (pos["valid_from"] and now < parse_iso(pos["valid_from"])) or \
            (pos["valid_until"] and now > parse_iso(pos["valid_until"])):
        return {"status": "error", "reason": "invalid_time"}
    if not on_list(pos):
        return {"status": "error", "reason": "product"}
    if order["status"] == "n" and not order["valid_if_pending"]:
        return {"status": "error", "reason": "unpaid"}
    earlier = [c for c in pos["checkins"] if c["list"] == clist["id"]]
    entries = [c for c in earlier if c.get("type", "entry") == "entry"]
    if clist["rules"]:
        ctx = {"product": str(pos["item"]),
               "entries_today": sum(1 for c in entries if tz_date(c["datetime"]) == now.date())}

        def ev(e):
            if isinstance(e, dict):
                (op, args), = e.items()
                if op == "var":
                    return ctx[args]
                if op == "and":
                    return all(ev(a) for a in args)
                if op == "<":
                    return ev(args[0]) < ev(args[1])
                if op == "inList":
                    return ev(args[0]) in [lk["lookup"][1] for lk in args[1]["objectList"]]
                raise ValueError(op)
            return e
        if not ev(clist["rules"]):
            return {"status": "error", "reason": "rules"}
    asked = [q for q in data["questions"] if q["ask_during_checkin"] and pos["item"] in q["items"]]
    stored = {a["question"]: a for a in pos["answers"]}
    missing, missing_any = [], []
    for q in asked:
        if q["dependency_question"]:
            parent = stored.get(q["dependency_question"])
            if not parent or not set(parent["option_identifiers"]) & set(q["dependency_values"]):
                continue
        a = stored.get(q["id"])
        ok = a is not None and (q["type"] != "B" or a["answer"] == "True")
        if not ok:
            missing_any.append(q["id"])
            if q["required"]:
                missing.append(q["id"])
    if missing_any != missing:
        raise AssertionError(f"optional question unanswered for {scenario}: pretix online would ask it")
    if missing:
        return {"status": "incomplete", "reason": None, "questions": missing}
    if entries and not clist["allow_multiple_entries"]:
        last = sorted(earlier, key=lambda c: c["datetime"])[-1]
        if not (clist["allow_entry_after_exit"] and last["type"] == "exit"):
            return {"status": "error", "reason": "already_redeemed"}
    attention = bool(items_[pos["item"]]["checkin_attention"] or order["checkin_attention"])
    return {"status": "ok", "reason": None, "require_attention": attention, "position": pos["id"]}


def verify(data, notable):
    problems = []
    for name, s in notable.items():
        got = evaluate(data, s)
        want = (s["expect_status"], s["expect_reason"])
        if (got["status"], got["reason"]) != want:
            problems.append(f"{name}: expected {want}, got {got}")
        if "expect_require_attention" in s and got.get("require_attention") != s["expect_require_attention"]:
            problems.append(f"{name}: require_attention {got.get('require_attention')}")
        if "expect_questions" in s and got.get("questions") != s["expect_questions"]:
            problems.append(f"{name}: questions {got.get('questions')}")
        if "expect_position" in s and got.get("position") != s["expect_position"]:
            problems.append(f"{name}: position {got.get('position')}")
    secrets = [p["secret"] for o in data["orders"] for p in o["positions"]]
    if len(secrets) != len(set(secrets)):
        problems.append("duplicate secrets")
    if any(not re.fullmatch(f"[{SECRET_ALPHABET}]{{32}}", s) for s in secrets):
        problems.append("bad secret alphabet")
    codes = [o["code"] for o in data["orders"]]
    if len(codes) != len(set(codes)) or any(not re.fullmatch(f"[{CODE_ALPHABET}]{{5}}", c) for c in codes):
        problems.append("bad order codes")
    if problems:
        raise SystemExit("verification failed:\n  " + "\n  ".join(problems))


# ---------------------------------------------------------------------------------------------

def list_counts(lists, orders):
    for l in lists:
        pc = cc = 0
        for o in orders:
            if o["status"] != "p" and not (o["status"] == "n" and l["include_pending"]):
                continue
            for p in o["positions"]:
                if p["canceled"] or not (l["all_products"] or p["item"] in l["limit_products"]):
                    continue
                pc += 1
                if any(c["list"] == l["id"] and c["type"] == "entry" for c in p["checkins"]):
                    cc += 1
        l["position_count"], l["checkin_count"] = pc, cc


def name_of(item_id, variation_id=None):
    it = {i["id"]: i for i in items()}[item_id]
    s = it["name"]["en"]
    if variation_id:
        s += " – " + next(v["value"]["en"] for v in it["variations"] if v["id"] == variation_id)
    return s


def readme(data, notable, people, stats):
    L = []
    w = L.append
    w("# Demo event: KioskConf 2027")
    w("")
    w("Generated by `scripts/make_demo_event.py` (deterministic, fixed seed; do not edit by hand — change the "
      "script and run `python3 scripts/make_demo_event.py`). Every file is exactly what the pretix REST API "
      f"returns for organizer `{ORGANIZER}`, event `{EVENT_SLUG}`: `event.json` is one event object, the others "
      "are list pages `{\"count\", \"next\": null, \"previous\": null, \"results\": [...]}`. Load it with "
      f"`kioskctl import assets/demo --organizer {ORGANIZER}`. The data is a snapshot taken at "
      f"{iso(SNAPSHOT)}, an hour after the doors opened.")
    w("")
    w("## The event")
    w("")
    w("- KioskConf 2027, Europe/Berlin, Tuesday 2027-03-16 09:00 to Wednesday 2027-03-17 18:00 (+01:00), "
      "admission from 08:00. No subevents, no offline-signing keys (`valid_keys.pretix_sig1` is empty).")
    w("- Items: 101 Conference pass (variations 201 Regular 349.00, 202 Student 149.00; add-ons from category 51), "
      "102 Day pass — Wednesday (199.00, positions valid 2027-03-17T00:00:00+01:00 to 23:59:59), 103 Speaker pass "
      "(0.00, `checkin_attention`), 104 Workshop: Hands-on Rust (add-on, admission, 89.00), 105 Conference dinner "
      "(add-on, not admission, 65.00, no attendee name).")
    w("- Check-in lists: 11 Main entrance (all products, no pending, one entry, re-entry after exit); "
      "12 Workshop room (item 104 only, `addon_match`: a conference ticket with the workshop add-on resolves to it); "
      "13 Speakers' lounge (items 103 and 101, multiple entries, rule: speaker pass and `entries_today < 3`).")
    w("- Questions asked at check-in: 301 T-shirt size (C, required; options 401 S, 402 M, 403 L, 404 XL; items "
      "101, 103), 302 Dietary needs (C, optional; 405 none, 406 vegetarian, 407 vegan, 408 other; 101, 102, 103), "
      "303 Please specify (S, required, only when 302 is `DIET-OTHER`), 304 Code of conduct (B, required; all "
      "admission items incl. the workshop), 305 Emergency phone (TEL, optional; 103). Not asked at check-in: "
      "306 Company (S), 307 Date of birth (D).")
    w("- One badge layout (default page 8 in × 3.25 in, mm from the bottom-left): attendee name, event name, "
      "product/variation, QR code of the secret.")
    w(f"- {stats['orders']} orders ({stats['status']}), {stats['positions']} positions of which "
      f"{stats['admission']} admission ({stats['by_item']}); {stats['workshops']} workshop and {stats['dinners']} "
      f"dinner add-ons. Attendee names in Latin (English, Spanish, Portuguese, Polish, Vietnamese, German, French, "
      f"Turkish, Nordic), Cyrillic (Russian, Ukrainian), CJK (Chinese, Japanese, Korean), Arabic, Hebrew, Greek and "
      f"Devanagari scripts; e-mail addresses are ASCII on example domains.")
    w(f"- Already checked in at the snapshot: {stats['checked_in']} positions on list 11, "
      f"{stats['lounge_entries']} lounge entries. Besides the notable ones below, {stats['crowd_incomplete']} "
      f"crowd positions lack a required check-in answer (T-shirt or code of conduct) and answer `incomplete`.")
    w("- Every other valid ticket has all check-in answers (including the optional ones) and checks in `ok` "
      "without questions. `revokedsecrets.json` holds 3 old secrets that no position has any more; "
      "`blockedsecrets.json` has the blocked ticket (`blocked: true`) and one unblocked again (`blocked: false`).")
    w("- pretix semantics worth knowing: list 11 has `all_products`, so it technically also covers the dinner "
      "add-on; pretix generates no ticket files for non-admission products, so nobody holds a dinner barcode.")
    w("")
    w("## Notable tickets")
    w("")
    w("Machine-readable in `notable.json`: scenario -> `{secret, list, at, expect_status, expect_reason}` (plus "
      "`expect_require_attention` for admissions, `expect_questions` for `incomplete`, `expect_position` when the "
      "scan resolves to another position, and a `note`). Each `ok` scan records a check-in, so run the scenarios on a "
      "fresh import; each one once, in any order (the two scenario pairs that share a secret answer the same "
      "whichever runs first).")
    w("")
    w("| scenario | secret | list | at | expect | attendee / order | why |")
    w("|---|---|---|---|---|---|---|")
    orders_by_code = {o["code"]: o for o in data["orders"]}
    for name, s in notable.items():
        p = people.get(name)
        who = "—"
        if p:
            o = orders_by_code[p["order"]]
            who = f"{p['attendee_name'] or '(no name)'} / {p['order']} ({name_of(p['item'], p['variation'])}, order " \
                  f"status {o['status']})"
        expect = s["expect_status"] + (f" / {s['expect_reason']}" if s["expect_reason"] else "")
        if s.get("expect_require_attention"):
            expect += ", require_attention"
        if s.get("expect_questions"):
            expect += " " + ", ".join(f"Q{q}" for q in s["expect_questions"])
        w(f"| {name} | `{s['secret']}` | {s['list']} | {s['at']} | {expect} | {who} | {s['note']} |")
    w("")
    return "\n".join(L)


def write_json(path, obj, one_line_results=False):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if one_line_results:
            # Large pages: one compact result per line keeps the file small and diffs readable.
            head = {k: v for k, v in obj.items() if k != "results"}
            f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "results": [\n')
            f.write(",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in obj["results"]))
            f.write("\n]}\n")
        else:
            json.dump(obj, f, ensure_ascii=False, indent=1)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "demo"))
    args = ap.parse_args()
    rng = random.Random(SEED)

    b, notable, people, blocked_position, unblocked_position, revoked = build(rng)
    lists = checkin_lists()
    list_counts(lists, b.orders)
    data = {
        "event": event(),
        "items": items(),
        "checkinlists": lists,
        "questions": QUESTIONS,
        "subevents": [],
        "orders": b.orders,
        "revokedsecrets": [{"id": 7 + n, "secret": s, "created": iso(dt.datetime(2027, 2, 1 + 9 * n, 10 + n, 17, 3,
                                                                                  tzinfo=TZ))}
                           for n, s in enumerate(revoked)],
        "blockedsecrets": [
            {"id": 4, "secret": unblocked_position["secret"], "updated": "2027-02-20T15:02:44+01:00", "blocked": False},
            {"id": 5, "secret": blocked_position["secret"], "updated": "2027-03-09T11:48:26+01:00", "blocked": True},
        ],
        "badgelayouts": badge_layouts(),
    }
    verify(data, notable)

    os.makedirs(args.out, exist_ok=True)
    write_json(os.path.join(args.out, "event.json"), data["event"])
    for key in ("items", "checkinlists", "questions", "subevents", "orders", "revokedsecrets", "blockedsecrets",
                "badgelayouts"):
        write_json(os.path.join(args.out, f"{key}.json"), page(data[key]), one_line_results=(key == "orders"))
    write_json(os.path.join(args.out, "notable.json"), notable)

    all_pos = [p for o in b.orders for p in o["positions"]]
    adm = [p for p in all_pos if p["item"] != ITEM_DINNER]
    from collections import Counter
    status = Counter(o["status"] for o in b.orders)
    by_item = Counter(p["item"] for p in adm)
    crowd_incomplete = 0
    notable_secrets = {s["secret"] for s in notable.values()}
    for o in b.orders:
        if o["status"] != "p":
            continue
        for p in o["positions"]:
            if p["secret"] in notable_secrets or p["canceled"] or p["blocked"]:
                continue
            r = evaluate(data, {"secret": p["secret"], "list": LIST_MAIN, "at": "2027-03-17T09:30:00+01:00"})
            if r["status"] == "incomplete":
                crowd_incomplete += 1
    stats = {
        "orders": len(b.orders),
        "status": ", ".join(f"{n} {k}" for k, n in sorted(status.items(), key=lambda kv: "pnec".index(kv[0]))),
        "positions": len(all_pos),
        "admission": len(adm),
        "by_item": ", ".join(f"{n}× {name_of(i)}" for i, n in sorted(by_item.items())),
        "workshops": by_item[ITEM_WORKSHOP],
        "dinners": sum(1 for p in all_pos if p["item"] == ITEM_DINNER),
        "checked_in": lists[0]["checkin_count"],
        "lounge_entries": sum(1 for p in all_pos for c in p["checkins"] if c["list"] == LIST_LOUNGE),
        "crowd_incomplete": crowd_incomplete,
    }
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme(data, notable, people, stats))
    print(json.dumps(stats, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
