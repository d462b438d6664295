"""Vocabularies the personal-data recognisers use: common given names and surnames in many
languages and scripts, company legal forms, street words, and the words column headers use
for names of people and companies.

The name lists are evidence, not a registry: a column is taken for names of people when a
fair share of its distinct values holds one of these common names (``personal.py``), so a
list of names that are mostly missing here is still caught by its shape when it is long, or
by its header when it is short. Every word is compared accent-folded and case-folded
(``Chloé`` = ``chloe``).
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Accents removed and case folded: ``Chloé`` -> ``chloe``, ``Ștefan`` -> ``stefan``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).casefold()  # NFC: Hangul syllables recomposed


def _split(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _words(*blocks: str) -> frozenset[str]:
    return frozenset(fold(w) for block in blocks for w in block.split())


GIVEN_NAMES = _words(
    # English
    "james john robert michael william david richard joseph thomas charles christopher daniel "
    "matthew anthony mark paul steven andrew kevin brian george edward ryan jacob liam noah "
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty "
    "emily emma olivia ava sophia amelia charlotte grace chloe lucy hannah megan laura rachel",
    # German, Dutch, Nordic
    "hans jurgen klaus wolfgang uwe dieter horst stefan andreas frank lukas leon finn jonas "
    "felix maximilian tobias florian sebastian johannes matthias ursula helga renate monika "
    "sabine petra katharina anna lena leonie marie mia hannah johanna sophie lea julia ingrid "
    "jan pieter sander bram daan sem ruben thijs lars sven erik bjorn nils astrid sanne femke "
    "anouk lieke fleur eva maartje willem henk kees gerrit",
    # French
    "jean pierre michel philippe alain nicolas julien antoine francois olivier mathieu "
    "guillaume hugo louis theo arthur raphael gabriel clement baptiste marie nathalie isabelle "
    "sylvie catherine valerie camille manon chloe ines jade louise lea juliette margaux celine "
    "aurelie helene brigitte amelie elodie",
    # Spanish, Portuguese, Italian
    "jose juan carlos luis javier miguel antonio manuel francisco alejandro diego pablo sergio "
    "alvaro jorge raul fernando ricardo joao pedro tiago rui goncalo rodrigo bruno thiago "
    "lucas mateus gabriel rafael marco luca giuseppe giovanni alessandro matteo lorenzo andrea "
    "francesco stefano paolo maria carmen lucia sofia isabel ana laura marta elena paula "
    "beatriz mariana leonor ines camila valentina fernanda juliana giulia chiara francesca "
    "alessia martina federica silvia begona pilar rocio",
    # Romanian, Polish, Czech, Hungarian, Turkish, Greek (Latin spelling)
    "ion ionut andrei alexandru mihai cristian florin vlad radu gheorghe ioana elena andreea "
    "alexandra cristina mihaela gabriela raluca bianca piotr krzysztof tomasz pawel marcin "
    "michal lukasz wojciech jakub katarzyna agnieszka malgorzata joanna magdalena zofia "
    "petr jiri tereza laszlo zoltan balazs eszter mehmet mustafa ahmet emre burak can "
    "elif zeynep ayse fatma cagla georgios dimitrios nikolaos konstantinos eleni katerina",
    # Arabic, Persian, South Asian, African (Latin spelling)
    "mohammed muhammad mohamed ahmed ahmad ali omar hassan hussein yusuf youssef khalid "
    "ibrahim mustafa abdullah fatima aisha maryam layla nour zainab yasmin reza amir "
    "rahul amit raj vijay sanjay arjun rohan aditya priya anjali sunita pooja neha deepika "
    "kavya lakshmi ravi suresh ramesh kwame kofi ama chinedu ngozi oluwaseun thabo sipho",
    # Indonesian, Malay, Vietnamese, Chinese, Japanese, Korean (Latin spelling)
    "budi agus adi eko dewi siti sri putri ayu wahyu rizky fajar indah nur ahmad "
    "nguyen anh minh linh thanh huong tuan hieu trang wei jing li ming hui yan xin jun "
    "hiroshi takashi kenji yuki haruto sota yui aoi sakura hana akiko minjun seojun jiwoo "
    "seoyeon jisoo minseo",
    # Cyrillic, Greek, Arabic, Hebrew, Devanagari scripts
    "иван дмитрий алексей сергей андрей михаил николай владимир ольга елена наталья татьяна "
    "анна мария екатерина ирина светлана олександр андрій оксана "
    "γιώργος γιάννης δημήτρης νίκος κώστας μαρία ελένη κατερίνα σοφία "
    "محمد أحمد علي عمر خالد يوسف حسن حسين إبراهيم عبدالله فاطمة عائشة مريم نور زينب سارة ليلى "
    "דוד משה יוסף אברהם שרה רחל מרים נועה "
    "राहुल अमित विजय राज प्रिया सुनीता पूजा अनीता",
)

SURNAMES = _words(
    "smith johnson williams brown jones miller davis wilson anderson taylor thomas moore "
    "jackson martin lee thompson white harris clark lewis robinson walker young king wright "
    "muller mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann koch "
    "bauer richter klein wolf schroder neumann schwarz zimmermann braun kruger hartmann "
    "dejong jansen devries vandenberg bakker visser smit meijer mulder bos vos peters hendriks "
    "dubois durand lefebvre lefevre leroy moreau simon laurent michel garcia bernard petit "
    "roux fournier girard bonnet dupont lambert fontaine rousseau "
    "garcia rodriguez gonzalez fernandez lopez martinez sanchez perez gomez diaz hernandez "
    "ruiz jimenez moreno alvarez romero navarro torres ibanez silva santos oliveira souza "
    "pereira costa ferreira almeida carvalho gomes ribeiro rodrigues goncalves lima araujo "
    "rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti "
    "popescu ionescu popa stan dumitru stoica constantin gheorghe nowak kowalski wisniewski "
    "wojcik kowalczyk kaminski lewandowski zielinski szymanski novak svoboda nagy kovacs "
    "yilmaz kaya demir sahin celik ozturk aydin papadopoulos papadakis "
    "kumar sharma singh patel gupta shah reddy rao mehta iyer khan hussain rahman ali ahmed "
    "mensah okafor adeyemi nkosi dlamini santoso wijaya hidayat saputra susanto "
    "nguyen tran pham hoang phan vu dang bui wang zhang liu chen yang huang zhao zhou wu "
    "tanaka suzuki takahashi watanabe ito yamamoto nakamura kobayashi sato kato kim park "
    "choi jung kang cho yoon "
    "иванов смирнов кузнецов попов васильев петров соколов михайлов новиков федоров "
    "шевченко коваленко παπαδόπουλος παπαδάκης γεωργίου νικολάου "
    "כהן לוי מזרחי פרץ ביטון שרמה गुप्ता सिंह",
)

# Family names as the first characters of a name written without spaces (Chinese, Korean,
# Japanese): 王伟, 김민준, 佐藤健.
NAME_PREFIXES = _split(
    "王 李 张 張 刘 劉 陈 陳 杨 楊 黄 黃 赵 趙 吴 吳 周 徐 孙 孫 马 馬 朱 胡 郭 何 高 林 罗 羅 郑 鄭 "
    "梁 谢 謝 宋 唐 许 許 韩 韓 冯 馮 邓 鄧 曹 彭 曾 肖 田 董 袁 潘 蔡 蒋 余 杜 叶 葉 程 魏 苏 吕 "
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 홍 "
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 "
    "斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤"
)

# Particles inside names: written in lower case, they do not break a name's shape.
NAME_PARTICLES = _words(
    "de da das do dos di del della der den van von vom zu zum ter ten te la le du des y e "
    "bin binti ibn al el af av"
)

# Legal forms that end (or, for PT/CV, start) a company's name, dots and case ignored.
LEGAL_FORMS = frozenset(
    w.replace(".", "")
    for w in fold(
        "gmbh ag kg ohg ug se mbh ltd limited llc llp inc incorporated corp corporation co "
        "company plc lp sa sas sasu sarl eurl srl spa sl slu bv nv vof pt tbk cv lda ltda eireli "
        "oy oyj ab as asa aps a/s pty kk gk bhd pvt jsc ooo kft zrt sro doo ou group holding "
        "holdings"
    ).split()
)
COMPANY_SCRIPT_FORMS = ("有限公司", "株式会社", "公司", "주식회사", "(주)", "ооо ", "شركة")

# Words that make a value with a house number a street address (token or token ending).
STREET_WORDS = frozenset(
    fold(
        "street st road rd avenue ave av boulevard blvd bd lane ln drive dr way court ct place "
        "pl square sq highway hwy parkway pkwy terrace suite apt "
        "strasse str weg allee platz gasse ring damm chaussee ufer "
        "rue chemin allee impasse quai route "
        "calle avenida avda paseo plaza carrera camino carrer "
        "rua travessa praca estrada largo alameda "
        "via viale piazza corso vicolo strada "
        "straat laan plein gracht kade dijk "
        "strada bulevardul calea aleea soseaua piata "
        "jalan jl gang gg ul ulica aleja cadde caddesi sokak mahallesi no nr"
    ).split()
)
STREET_ENDINGS = tuple(fold("straße strasse str weg allee platz gasse straat laan plein").split())

# Column headers that name people or companies, matched whole (``header_words`` form).
PERSON_HEADER = re.compile(
    r"(?:(?:contact|lead|customer|client|person|prospect|user)\s+)?"
    r"(?:(?:first|last|full|given|family|middle|sur|nick|display)\s*)?name"
    r"|first|last|surname|forename"
    r"|(?:(?:contact|lead|account|deal)\s+)?owner(?:\s+name)?"
    r"|sales\s+(?:agent|rep|representative|person)|salesperson|(?:account\s+)?manager|agent|rep"
    r"|vorname|nachname|prenom|nom|nom de famille|nome|sobrenome|apelido|cognome|nombre"
    r"|apellidos?|nama|nama depan|nama belakang|voornaam|achternaam|prenume|nume|imie"
    r"|nazwisko|imya|familiya|имя|фамилия|姓名|名前|이름"
)
COMPANY_HEADER = re.compile(
    r"(?:company|account|organi[sz]ation|org|employer|business|firm|subsidiary of|"
    r"parent company|associated company|firma|firmenname|unternehmen|empresa|nome da empresa|"
    r"nombre de (?:la )?empresa|societe|entreprise|raison sociale|azienda|ragione sociale|"
    r"societa|perusahaan|nama perusahaan|bedrijf|bedrijfsnaam|compania|companie|"
    r"numele companiei)(?:\s+name)?"
)


def header_words(name: str) -> str:
    """A column header as lower-case words: ``FirstName``, ``first_name`` -> ``first name``."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name))
    return " ".join(re.split(r"[\s_\-./:]+", fold(spaced))).strip()
