"""Seniority, decision-making role and business function parsed from free-text job titles.

Titles are read in English, German, French, Spanish, Portuguese, Italian, Romanian, Indonesian
and Dutch. Text is normalised first: lower case, accents folded (NFKD without combining marks,
ß → ss), punctuation to spaces, dotted initials joined ("P.D.G." → "pdg"); the vocabulary also
takes ae/oe/ue for ä/ö/ü and compounds written apart, so "GESCHÄFTSFÜHRER", "Geschäfts-führer"
and "geschaeftsfuehrer" read the same. Rules are ordered patterns; the first match wins:

1. intern_student: "Marketing Intern", "Werkstudent", "Stagiaire", "Becario", "Magang".
2. individual: assistants and secretaries *of* an executive ("Assistant to the CEO",
   "Assistente di Direzione", "Assistenz der Geschäftsführung", Romanian "Asistent manager")
   and kitchen ranks ("Sous-chef", "Chef de partie"): the senior word names their boss.
3. c_level: CEO/CFO…, president, managing director, Geschäftsführer, Vorstand, PDG, DG,
   Directeur Général, Director General, Amministratore Delegato, Direktur Utama, Algemeen
   Directeur, Gérant, a bare "Administrator" (a Romanian company's head). "Founder & CEO" is
   C-level: the role held wins over ownership.
4. owner: owner, founder, proprietor, partner, Inhaber, Gesellschafter, Propriétaire, Associé,
   Sócio, Titolare, Asociat, Pemilik, Eigenaar…, so "Directeur-eigenaar" is an owner.
5. vp: VP, SVP, EVP. "Vice President", "Vice-Presidente", "Vizepräsident", "Wakil Presiden"
   and deputies of a C-level ("Deputy CEO", "Directeur Général Adjoint", "Wakil Direktur
   Utama") are rewritten to "vp" first, so they are not C-level, while "Vice President & CFO"
   still is.
6. director: Director, Directeur, Diretor, Direttore, Direktor, Direktur, Dir., Prokurist,
   Dirigente, and general managers ("General Manager", "Gerente General", "GM").
7. manager: team and project chiefs, before heads: "Chef de projet", "Jefe de proyecto",
   "Capo progetto", "Șef de echipă", "Projektleiter", "Teamleider", "Ketua Tim".
8. head: Head, Leiter/Leitung, Leider, Hoofd, Chef de, Chefe, Jefe, Responsable(-bile), Resp.,
   Șef, Capo, Kepala, Pimpinan, and editors-in-chief (Hoofdredacteur, Rédacteur en chef).
9. manager: Manager (also "Accountmanager"), Gerente, Ger., Manajer, Lead, Supervisor,
   Encargado. Any other text is individual; a blank title is unknown.

False friends are neutralised before the rules: "Product Owner", "HR Business Partner",
"Partner Manager", "Lead Generation", "Head Office", "GL Accountant", "Halbleiter",
"Operatore Socio Sanitario"; only a bare "Principal" is C-level ("Principal Engineer",
"Analista Principal" are not). Whole words keep "Directory Services", "Headhunter",
"Hoofdkantoor" and a restaurant's "Chef" individual. "DGA" is read as the Dutch
directeur-grootaandeelhouder (owner); the French deputy is "DG adjoint".

Decision-makers are owners, C-level, VPs, directors and heads, as B2B buying-committee studies
use. Each pattern runs once over a whole column (pyarrow's RE2 for Arrow strings).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.features.title_words import (
    _ANY_TITLE_WORD,
    _MARKS,
    DECISION_MAKERS,
    FALSE_FRIENDS,
    FUNCTION_RULES,
    LEVELS,
    SENIORITY_REWRITES,
    SENIORITY_RULES,
    VICE_PRESIDENT,
)

__all__ = [
    "DECISION_MAKERS",
    "LEVELS",
    "decision_maker",
    "function",
    "looks_like_titles",
    "seniority",
    "seniority_and_function",
]


def _normalise(titles: pd.Series) -> pd.Series:
    """Lower-case ASCII words: accents folded, ß → ss, dotted initials joined, punctuation out."""
    text = titles.astype("string").str.lower().str.replace("ß", "ss", regex=False)
    text = text.str.normalize("NFKD").str.replace(_MARKS, "", regex=True)
    text = text.str.replace(r"[^0-9a-z&.]+", " ", regex=True)
    text = text.str.replace(r"\b([a-z])\.", r"\1", regex=True)
    return text.str.replace(r"[. ]+", " ", regex=True).str.strip()


def _prepare(text: pd.Series) -> pd.Series:
    """Neutralise false friends and rewrite vice presidents to "vp" (normalised text in)."""
    text = text.str.replace(FALSE_FRIENDS, r"\1\2\3", regex=True)
    return text.str.replace(VICE_PRESIDENT, "vp", regex=True)


def _first_match(text: pd.Series, rules: tuple[tuple[str, str], ...], default: str) -> pd.Series:
    out = pd.Series(default, index=text.index, dtype=object)
    done = np.zeros(len(text), dtype=bool)
    for name, pattern in rules:
        hit = text.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool) & ~done
        out[hit] = name
        done |= hit
    return out


def _blank(text: pd.Series) -> np.ndarray:
    return (text.isna() | (text == "")).to_numpy(dtype=bool)


def _seniority_of(text: pd.Series, prepared: pd.Series) -> pd.Series:
    """Seniority of normalised text, ``prepared`` being ``_prepare(text)``."""
    rewritten = prepared
    for pattern, replacement in SENIORITY_REWRITES:
        rewritten = rewritten.str.replace(pattern, replacement, regex=True)
    out = _first_match(rewritten, SENIORITY_RULES, "individual")
    out[_blank(text)] = "unknown"
    return out


def _function_of(text: pd.Series, prepared: pd.Series) -> pd.Series:
    """Function of normalised text, ``prepared`` being ``_prepare(text)``."""
    out = _first_match(prepared, FUNCTION_RULES, "other")
    out[_blank(text)] = "unknown"
    return out


def seniority(titles: pd.Series) -> pd.Series:
    """Seniority level per title: owner, c_level, vp, director, head, manager, individual,
    intern_student, or unknown for a blank title (see the module docstring for precedence)."""
    text = _normalise(titles)
    return _seniority_of(text, _prepare(text))


def function(titles: pd.Series) -> pd.Series:
    """Business function per title (sales, marketing, it_engineering, …, other, unknown)."""
    text = _normalise(titles)
    return _function_of(text, _prepare(text))


# Titles parsed so far, by text, with their (seniority, function): a lead list scored in
# batches repeats the same titles in every batch, and each pattern call costs a fixed time
# however few the texts. Bounded, so a column of mostly unique titles cannot grow it without
# end (about 200 bytes per title). A missing title is kept under None.
_PARSED: dict[str | None, tuple[str, str]] = {}
PARSED_LIMIT = 100_000


def seniority_and_function(titles: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``seniority`` and ``function`` per title, as object arrays, row for row the same.

    Each distinct text is parsed once, with one normalisation for both, and remembered across
    calls (``_PARSED``): both rules read one title at a time, so a title's result does not
    depend on the other titles parsed with it.
    """
    codes, uniques = pd.factorize(titles.astype("string"), use_na_sentinel=False)
    keys = [u if isinstance(u, str) else None for u in uniques]
    level = np.empty(len(keys), dtype=object)
    func = np.empty(len(keys), dtype=object)
    todo = []
    for i, key in enumerate(keys):
        known = _PARSED.get(key)
        if known is None:
            todo.append(i)
        else:
            level[i], func[i] = known
    if todo:
        text = _normalise(pd.Series(np.asarray([keys[i] for i in todo], dtype=object)))
        prepared = _prepare(text)
        level[todo] = _seniority_of(text, prepared).to_numpy(dtype=object)
        func[todo] = _function_of(text, prepared).to_numpy(dtype=object)
        room = PARSED_LIMIT - len(_PARSED)
        for i in todo[: max(room, 0)]:
            _PARSED[keys[i]] = (level[i], func[i])
    return level[codes], func[codes]


def decision_maker(levels: pd.Series) -> np.ndarray:
    """1.0 for decision-maker seniority, 0.0 otherwise, NaN when the title is unknown."""
    values = levels.isin(DECISION_MAKERS).to_numpy(dtype=float, copy=True)
    values[(levels == "unknown").to_numpy()] = np.nan
    return values


def looks_like_titles(values: pd.Series, min_share: float = 0.4) -> bool:
    """True when a text column reads like job titles (by content, never by its name)."""
    sample = _normalise(values.dropna().astype(str).drop_duplicates().head(2000))
    if len(sample) < 10:
        return False
    return float(sample.str.contains(_ANY_TITLE_WORD, regex=True, na=False).mean()) >= min_share
