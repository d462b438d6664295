"""The vocabulary of job titles in nine languages, as ordered patterns (see ``titles``).

Patterns are written as people spell the words, accents included; ``_words`` folds accents and
lets ae/oe/ue stand for ä/ö/ü, so the patterns match the normalised text ``titles`` makes.
"""

from __future__ import annotations

import unicodedata

_UMLAUTS = {"ä": "(?:a|ae)", "ö": "(?:o|oe)", "ü": "(?:u|ue)", "ß": "ss"}


def _words(vocabulary: str) -> str:
    """Regex alternation of comma-separated vocabulary items, each a whole word.

    Items are written as people spell them; accents fold as in `_normalise` (ä also matches
    "ae"), a space also matches no space ("co founder" matches "cofounder") and ``*`` stands
    for any letters, for compounds ("*leiter" matches "Vertriebsleiter").
    """
    items = []
    for item in vocabulary.split(","):
        text = "".join(_UMLAUTS.get(ch, ch) for ch in item.strip().lower())
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
        items.append(text.replace(" ", " ?").replace("*", "[a-z]*"))
    return r"\b(?:" + "|".join(items) + r")\b"


_ASSIST = (
    "(?:assistant|assistante|assistent|assistentin|assistente|assistenz|asistente|asistent"
    "|asistenta|asisten|secretary|secrétaire|secretaria|secretario|segretari[ao]|sekretaris"
    "|secretara|sekretär|sekretärin|secretaresse|referent|referentin|pa|ea)"
)
_PREP = (
    "(?:to|of|for|de|du|des|d|da|do|di|del|della|dello|al|alla|der|dem|von|van|voor|pentru|la"
    "|bij|beim)"
)
_EXECUTIVE_OFFICE = (
    "(?:geschäfts führung|geschäfts leitung|vorstand|gf|gl|ceo|md|direction|direzione|dirección"
    "|diretoria|directie|direksi|direktur|dirigenza|gerencia|presidencia|presidência|presidenza"
    "|management|direktion|bestuur)"
)

SENIORITY_RULES: tuple[tuple[str, str], ...] = (
    (
        "intern_student",
        _words(
            "intern, interns, internship*, student*, trainee*, apprenti*, graduate, werkstudent*,"
            "praktikant*, azubi, auszubildende*, lehrling*, volontär*, doktorand*, stagia*,"
            "alternan*, étudiant*, doctorant*, doctorand*, dottorand*, doutorand*, estagi*,"
            "aprendiz*, estudante*, bolsista, becari*, practicant*, pasant*, prácticas,"
            "estudiante*, tirocin*, stagist*, apprendist*, ucenic*, magang, pemagang, mahasiswa,"
            "pelajar, afstudeer*, promovendus, (?:phd|mba|doctoral) candidate, duale[rs]? stud*"
        ),
    ),
    (
        "individual",
        _words(
            f"{_ASSIST} {_PREP}, {_ASSIST} {_EXECUTIVE_OFFICE}, asistent[ae]? (?:manager|director),"
            "executive assistant*, personal assistant*, management assist*, directie assist*,"
            "directie secret*, vorstands assist*, vorstands referent*, chefsekret*,"
            "geschäfts führungs assist*, (?:ceo|md|gf) s? (?:assistant|assistent|assistenz)*,"
            "asisten pribadi, sous chef, chef de partie, chef de rang, commis"
        ),
    ),
    (
        "c_level",
        _words(
            "chief, ceo, cto, cfo, coo, cmo, cio, ciso, cro, cpo, cdo, cco, chro, cxo,"
            "presiden(?:t|te|ta|tin)?, präsident(?:in)?, președinte, chairman, chairwoman,"
            "chairperson, board member*, raad van bestuur, dealer principal, ^principal$,"
            "managing director*, managing partner*, geschäfts führer*, geschäfts führend*,"
            "geschäfts führung, geschäfts leiter*, geschäfts leitung, gf, gl, vorstand*,"
            "*vorsitzende*, generaldirektor*, pdg, p dg, dg, directeur général,"
            "directrice générale, gérant*, cogérant*, dirigeant*, mandataire social,"
            "directora? general, diretora? geral, diret(?:tore|trice) generale,"
            "consejer[oa] delegad[oa], amministrat(?:ore|rice) (?:delegat[oa]|unic[oa]),"
            "consiglier[ea] delegat[oa], administrador[a]? (?:únic[oa]|solidari[oa]),"
            "^administrator(?: unic| firma| societate)?$, direktur utama, dirut,"
            "presiden direktur, presdir, komisaris*, ketua umum, ketua dewan, algemeen directeur,"
            "algemeen directrice, voorzitter*, bestuursvoorzitter, bestuurder*, bestuurslid,"
            "zaakvoerder*"
        ),
    ),
    (
        "owner",
        _words(
            "owner, owners, co owner*, founder*, co founder*, proprietor*, proprietress,"
            "entrepreneur*, partner(?:in|s)?, *inhaber(?:in)?, *gründer(?:in)?, *gesellschafter*,"
            "eigentümer*, unternehmer*, propriétaire*, copropriétaire*, chef d entreprise,"
            "fondat(?:eur|rice|ore|or|oare), co fondat(?:eur|rice|ore|or|oare), associé*,"
            "propr?ietári[oa]s?, proprietar[a]?, proprietarul, dueñ[oa], empresári[oa],"
            "empreendedor[a]?, fundador[a]?, co fundador[a]?, sóci[oa]s?, titolare,"
            "imprenditor[ei], imprenditrice, asociat[a]?, asociatul, antreprenor*, pemilik,"
            "pendiri, pengusaha, wirausaha*, eigenaa?r(?:es)?, mede eigenaar, oprichter*,"
            "mede oprichter*, oprichtster, ondernemer*, vennoot, vennoten, grootaandeelhouder, dga"
        ),
    ),
    ("vp", _words("vp, vps, svp, evp, avp, sr vp")),
    (
        "director",
        _words(
            "*director(?:a|as|es|ul)?, *directeur*, *directrice, *diretor(?:a|as|es)?,"
            "*diret(?:tore|tori|trice), *direktor(?:in|en)?, *direktur, directoare, dir, wadir,"
            "dirigente*, prokurist*, superintendente*, general manager*, gm, gerente general,"
            "gerente geral, manager general, manajer umum, secretary general, secretar general,"
            "secrétaire général*, secretari[oa] general, segretari[oa] general[ea],"
            "sekretaris jenderal, generalsekretär*, secretaris generaal, drh, daf, dsi, dircom"
        ),
    ),
    (
        "manager",
        _words(
            "chef (?:de |d )?(?:projets?|produit|équipe|groupe|rayon|chantier),"
            "chefe de (?:equipe|projeto|turno), jef[ea] de (?:proyecto|equipo|grupo|turno|obra),"
            "capo ?(?:progetto|squadra|turno|cantiere|commessa|team),"
            "șef (?:de )?(?:echipă|tură|proiect|șantier), ketua (?:tim|regu|kelompok|shift),"
            "kepala (?:regu|shift), *teamleiter*, *teamleitung, *projektleiter*, *projektleitung,"
            "*gruppenleiter*, *schichtleiter*, *teamleider, *teamleidster, *projectleider,"
            "*groepsleider, *ploegleider, responsable (?:de |d )?(?:projet|équipe|produit),"
            "responsabile (?:di )?(?:progetto|prodotto|squadra|team|turno)"
        ),
    ),
    (
        "head",
        _words(
            "head, heads, headmaster, headmistress, head teacher, *leiter(?:in)?, *leitung,"
            "*leider, *leidster, *hoofd, chef (?:de|du|des|d), chefe, chefes, jef[ea], jef[ea]s,"
            "responsable*, responsabile, responsável, resp, șef, șefa, șeful, capo,"
            "capo(?:ufficio|reparto|settore|area), kepala, kabag, kadiv, kacab, kadep, kasi,"
            "kanit, pimpinan, pemimpin, ketua"
        ),
    ),
    (
        "manager",
        _words(
            "*manager(?:in|s)?, mgr, lead, leads, leader, leaders, teamlead*, team lead,"
            "supervisor*, supervizor*, supervisore, penyelia, gerente*, ger, gte, encargad[oa]s?,"
            "encarregad[oa]s?, manajer, coordenador[a]?, leidinggevende"
        ),
    ),
)
_DECIDING = ("owner", "c_level", "vp", "director", "head")
LEVELS: tuple[str, ...] = (*_DECIDING, "manager", "individual", "intern_student", "unknown")
DECISION_MAKERS = frozenset(_DECIDING)

# Phrases whose senior-looking word is not seniority; the captured words are kept (for the
# function) and the rest removed. Applied before both seniority and function rules.
FALSE_FRIENDS = _words(
    "(?:product|process|service|data|system|application|platform|risk|control|content|feature"
    "|solution|account|project) owner, lead (?:generation|gen|qualification|management"
    "|nurturing|scoring|routing), head office, head quarters,"
    "(hr|people|business|channel|alliances?|strategic|technology|talent|learning|reseller"
    "|implementation|solutions?|sales|account|finance|acquisition|recruit*|delivery|success"
    "|training|client|customer|marketing|growth|hiring|development|it|tech|support) partner,"
    "partner (manager|marketing|success|sales|development|programs?|relations|enablement"
    "|operations|engineer|ecosystem|account|channel|specialist|executive|director|lead"
    "|solutions|integrations?|support|onboarding),"
    "gl (accountant|accounting|analyst|specialist|clerk|reconciliation|coordinator),"
    "*halbleiter*, *begleiter*, *geleider*, *reisleider*, socio (?:econ*|cultur*|politic*"
    "|sanitari*|educat*|assistenzial*|emotional*|technical*|demogra*)"
)
# Vice presidents become "vp" so that "president" reads neither C-level nor executive.
VICE_PRESIDENT = _words(
    "vice pres*, vize präs*, vice chair*, wakil presiden, wakil ketua, vice voorzitter"
)
# Rewrites of the seniority text only, in this order: (pattern, replacement).
SENIORITY_REWRITES: tuple[tuple[str, str], ...] = (
    (
        _words(
            "wakil direktur utama, wakil dirut, directeur général adjoint, dg adjoint,"
            "deputy (?:ceo|chief executive|managing director|president|chair*),"
            "directrice générale adjointe, directora? general adjunt[oa], diretora? geral"
            " adjunt[oa], director general adjunct, vice direttore generale,"
            "stellvertretende[rn]? (?:geschäfts führer*|vorstand*|vorsitzende*),"
            "(?:stv|stellv) (?:gf|geschäfts führer*|vorstand*),"
            "plaatsvervangend algemeen directeur, adjunct algemeen directeur"
        ),
        "vp",
    ),
    (
        _words(
            "editor in chief, hoofdredact*, chefredakt*, rédact(?:eur|rice) en chef,"
            "redattore capo, caporedatt*, redactora? (?:en )?jef[ea], redatora? chefe,"
            "redactor șef, pemimpin redaksi"
        ),
        "head",
    ),
)

FUNCTION_RULES: tuple[tuple[str, str], ...] = (
    (
        "executive",
        _words(
            "ceo, founder*, co founder*, owner, president*, presidente, președinte, general,"
            "managing director, managing partner, générale?, geral, generaldirektor*, gf, pdg,"
            "geschäfts führ*, *inhaber*, *gründer*, *gesellschafter*, geschäfts leit*, dg,"
            "vorstandsvorsitz*, gérant*, fondat(?:eur|rice|ore|or|oare), dirigeant*,"
            "propriétaire*, propr?ietári[oa], proprietar, dueñ[oa], fundador[a]?,"
            "consejer[oa] delegad[oa], amministrat(?:ore|rice) (?:delegat[oa]|unic[oa]),"
            "titolare, direktur utama, dirut, presiden direktur, presdir, pemilik, pendiri,"
            "eigenaa?r*, oprichter*, zaakvoerder*, algemeen directeur, dga, chef d entreprise,"
            "co fundador[a]?, mede oprichter*, co fondat(?:eur|rice|ore|or|oare), entrepreneur*,"
            "unternehmer*, empresári[oa], imprenditor[ei], imprenditrice, antreprenor*,"
            "pengusaha, wirausaha*, ondernemer*, administrador[a]? únic[oa],"
            "consiglier[ea] delegat[oa], komisaris*, ketua umum, voorzitter*, bestuurder*,"
            "manajer umum"
        ),
    ),
    (
        "sales",
        _words(
            "sales*, account executive, business development, bdr, sdr, revenue, cro, *vertrieb*,"
            "*verkauf*, außendienst*, innendienst*, buitendienst*, binnendienst*, vente, ventes,"
            "commercial*, comercial*, commercieel, commerciele, venta, ventas, venda, vendas,"
            "vendedor*, vendita, vendite, venditor*, venditrice, vânzări, vânzare, vânzător*,"
            "penjualan, niaga, *verkoop*, verkoper*, account manag*, accountmanag*, export,"
            "key account*, geschäftsentwicklung, développement commercial,"
            "desarrollo de negocios?, desenvolvimento de negócios, sviluppo commerciale,"
            "bedrijfsontwikkeling"
        ),
    ),
    (
        "marketing",
        _words(
            "*marketing*, cmo, growth, brand, demand, content, seo, mercadotecnia, mercadeo,"
            "pemasaran, werbung, publicidad, publicidade, pubblicità, publicité, reclame,"
            "periklanan, communication, *kommunikation, communicatie, comunicazione,"
            "comunicación, comunicação, comunicare, komunikasi, dircom, pr, relations publiques"
        ),
    ),
    (
        "finance",
        _words(
            "cfo, accounting, accountant, controller, controlling, treasury, financ*, *finanz*,"
            "finanț*, keuangan, *buchhalt*, rechnungswesen, comptab*, contab*, contador[a]?,"
            "akunt*, boekhoud*, tesorer*, tesour*, trésor*, trezor*, ragionier*, amministrazione,"
            "daf, bendahara, treasurer, director economic, amministrativ[oa]"
        ),
    ),
    (
        "procurement",
        _words(
            "procurement, purchasing, purchase*, buyer, buyers, sourcing, *einkauf*,"
            "*beschaffung*, achat*, acheteu*, approvisionnement*, aprovisionamiento,"
            "abastecimiento, aprovizionare, approvvigionament*, compras, comprador[a]?, acquisti,"
            "achiziți*, pengadaan, pembelian, *inkoop*, inkoper*, suprimentos, adquisiciones,"
            "aquisições"
        ),
    ),
    (
        "it_engineering",
        _words(
            "it, cto, cio, ciso, engineer, engineering, developer, software*, technology, data,"
            "technical, devops, architect, security, systems, informati*, edv, ti, ict, dsi,"
            "sistemas, sisteme, sistemi, systèmes, sistem, tecnolog*, technolog*, tehnolog*,"
            "teknolog*, entwickler*, software entwickler*, anwendungs entwickler*,"
            "web entwickler*, entwicklung, forschung, programm(?:er|ierer|ing|atore|eur|euse)*,"
            "programador[a]?, programator*, desarrollador[a]?, desenvolvedor[a]?, sviluppator[ei],"
            "développeu*, ontwikkelaar*, pengembang, dezvoltator*, ingenieur*, ingenier[oa],"
            "engenheir[oa], ingegner[ei], inginer*, insinyur, technique, technisch*, tehnic*,"
            "teknik*, dir* técnic[oa], ufficio tecnico, datos, dados, dati, daten, données,"
            "automatisering"
        ),
    ),
    (
        "operations",
        _words(
            "operations, operational*, coo, ops, logisti*, supply chain, facilities, lager*,"
            "produktion*, production*, producción, produção, produzione, productie*, produksi,"
            "fertigung, betrieb, betriebs leit*, werks? leit*, bedrijfsvoering, operaciones,"
            "operações, operazioni, operațiuni, operasional, operasi, operationeel, operationele,"
            "opérationnel*, exploitation, magazzin*, almacén*, armazém, almoxarifado, entrepôt,"
            "depozit, gudang, magazijn*, usine, fábrica, fabriek, pabrik, planta"
        ),
    ),
    (
        "hr",
        _words(
            "hr, human resources, people, talent, recruit*, personnel, personale, pessoal,"
            "personalia, personeel*, de personal, del personal, personal (?:leit|referent"
            "|abteilung|wesen|entwickl|chef|management|sachbearbeit|manager|berat|disponent"
            "|planung|recruiting|betreu|administration|verwaltung|service|business partner)*,"
            "(?:*leiter(?:in)?|*leitung|bereich|abteilung|referent(?:in)?|head of|chef) personal,"
            "personal (?:und|&) organisation, rh, drh, rrh, ressources humaines, recursos humanos,"
            "risorse umane, resurse umane, sumber daya manusia, sdm, hrd, hrga, p&o, p & o,"
            "recrutement, reclutamiento, recrutamento, selezione, rekrutmen, werving, recrutare"
        ),
    ),
)

_GENERIC_ROLE_WORDS = _words(
    "analyst, analista, analist, analis, specialist, spezialist*, specialista, especialista,"
    "spécialiste, spesialis, coordinat*, koordinator*, coordinador[a]?, coordonator*,"
    "consultant*, consultor[a]?, consulente, konsultan, berater*, adviseur, conseill*,"
    "asesor[a]?, associate, assistant*, assistent*, asistent*, asisten, officer, executive,"
    "referent*, sachbearbeiter*, mitarbeiter*, medewerker*, employé*, emplead[oa],"
    "funcionári[oa], impiegat[oa], angajat*, karyawan, pegawai, staf, staff, agent[e]?,"
    "technician, technicien*, tehnician, teknisi, técnic[oa], engineer, chargée?, auxiliar,"
    "addett[oa], operator*, operador[a]?, representative, representante, rappresentante,"
    "reprezentant*, vertegenwoordiger, inspector, inspecteur, economist, expert*, deskundige"
)

_MARKS = "[" + "\u0300" + "-" + "\u036f" + "]"  # literal marks, not \u escapes: pyarrow runs it

_ANY_TITLE_WORD = "|".join([p for _, p in SENIORITY_RULES + FUNCTION_RULES] + [_GENERIC_ROLE_WORDS])
