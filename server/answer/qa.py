"""Answering: retrieve, choose sentences copied from the documents, cite them, or abstain. No web framework."""

from dataclasses import asdict, dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np

from index.embed import QueryCache
from index.store import Store
from index.text import WORD, is_stopword, question_tokens, stem, tokens
from ingest.units import Passage, Sentence
from server.answer.followup import Resolved, naming, standalone, subject_turn, turn_words
from server.answer.retrieve import (
    ANSWER_LABEL,
    CONTINUES,
    POINTER,
    Ranked,
    beyond,
    broken,
    corpus_subject,
    quotable_shape,
    rank,
    topic_words,
)
from server.answer.selector import Selector, read, shipped, signals
from server.answer.terms import (
    asked_part,
    foreign,
    joined_compounds,
    medical,
    missing_terms,
    negated_tokens,
    own_words,
    personal,
    pointed,
    respelt,
    unsupported_qualifiers,
)
from server.settings import Settings

NO_ANSWER = "The documents do not answer this question."
# A question word with no word of the documents is still theirs where a word of its best passages (the first
# SAID_IN) is this alike, the two encoded alone: synonyms stand at 0.66-0.74 ("loud": "noise", "expensive":
# "cost"), the nearest words to off-topic questions' at most 0.62 ("reset": "restore", "flu": "disease").
SAID_OTHERWISE = 0.65
SAID_IN = 4
# Where no sentence is as like the question as the similarity floor, one that uses half the words the question
# names its subject with and is at least this alike is quotable (QA._half_named): MiniLM reads little into a short
# question on a technical text. Read off a paper's refused questions; measured on the public sets.
NAMED_FLOOR = 0.2
WORDS_REMEMBERED = 50_000  # word vectors kept for _said_otherwise (~75 MB at most)
WITHIN_MOST = 20_000  # a conversation's document of more passages than this is searched as the whole corpus is
# What a sentence advising a person to seek individual advice says; a personal question ("Should I ...?") is
# answered by the documents' sentence most like it, when one is close enough, and by nothing else.
ADVICE = ("Whether a treatment is right for a particular patient requires an individual assessment by a qualified "
          "medical specialist or doctor, who can give personal advice.")  # fmt: skip


def _normal(text: str) -> str:
    """A sentence's words, whitespace aside: two places holding the same text hold one quote."""
    return " ".join(text.split())


def not_mentioned(terms: list[str]) -> str:
    quoted = ", ".join(f"“{t}”" for t in terms)
    return f"The documents do not answer this question: they never mention {quoted}."


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    citation: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Citation:
    id: int
    source: str
    section: str | None
    page: int | None
    start: int
    end: int
    passage: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    answered: bool
    answer: str
    sentences: list[Quote] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # passages to read instead, when abstaining
    missing_terms: list[str] = field(default_factory=list)
    query: str = ""  # the question as searched, after resolving a follow-up
    confidence: float | None = None  # calibrated probability that the answer is right; None when abstaining

    def to_dict(self) -> dict:
        return asdict(self)


def _citation(number: int, passage: Passage, score: float) -> Citation:
    section = passage.trail or None
    return Citation(number, passage.doc_id, section, passage.page, passage.start, passage.end, passage.text,
                    round(score, 4))  # fmt: skip


def _blended(first: Ranked, second: Ranked) -> Ranked:
    """Two rankings of one question's candidates as one: each candidate with its mean probability (nothing where a
    ranking lacks it), best first; the passages of the first, and the feature row of the ranking whose best leads."""
    own, other = ({sid: p for sid, p, _ in r.sentences} for r in (first, second))
    mean = {sid: (own.get(sid, 0.0) + other.get(sid, 0.0)) / 2 for sid in own.keys() | other.keys()}
    order = sorted(mean, key=lambda sid: (-mean[sid], sid))
    leads = second if order and second.sentences and order[0] == second.sentences[0][0] else first
    return Ranked(first.passages, [(sid, mean[sid], 0.0) for sid in order], leads.best)


# Words of a follow-up, everyday ones included, that another document holds and the conversation's does not, that
# move the conversation there (one rarer than everyday words does alone).
_SWITCHING = 2


@dataclass(slots=True)
class Evidence:
    query: str  # the question as searched
    ranked: Ranked  # passages best first; of the sentences, only the quotable ones (QA._quotable)
    missing: list[str]  # distinctive question words the corpus never uses
    unsupported: list[str] = field(default_factory=list)  # qualifiers of the question the evidence lacks
    foreign: bool = False  # none of the question's own words is the documents'
    focus: int | None = None  # the sentence most like what the question asks beyond the topic (QA._focus)
    signals: np.ndarray | None = None  # what the confidence is computed from (server.answer.selector.signals)
    confidence: float | None = None  # the selector's probability that an answer from this evidence is right
    personal: bool = False  # asks for medical advice about the asker ("Should I ...?", "my son")


class QA:
    """Answers questions from one loaded index with one embedding model."""

    def __init__(self, store: Store, embedder: QueryCache, settings: Settings,
                 selector: Selector | None = None) -> None:  # fmt: skip
        self.store, self.embedder, self.settings = store, embedder, settings
        self.selector = selector or (read(settings.selector_model) if settings.selector_model else shipped())
        self.threshold = self.selector.threshold if settings.answer_threshold is None else settings.answer_threshold
        self.topic_vector = lru_cache(maxsize=256)(lambda words: embedder.encode([words])[0])
        self._respelt = lru_cache(maxsize=1024)(lambda text: respelt(store, text))
        self._answered_from = lru_cache(maxsize=1024)(self._turn_document)
        self._words: dict[str, np.ndarray] = {}  # word vectors (_word_vectors)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        return self.respond(self.evidence(question, history or []))

    def respond(self, found: "Evidence") -> Answer:
        """The answer the evidence allows: abstain for a missing term, an unsupported qualifier, a question foreign
        to the documents, nothing quotable or too low a confidence; otherwise quote."""
        if found.missing:
            return self._abstain(found, not_mentioned(found.missing))
        if found.personal:
            return self._advise(found)
        if not found.ranked.sentences or not self.supported(found):
            return self._abstain(found, NO_ANSWER)
        if found.confidence is None or found.confidence < self.threshold:
            return self._abstain(found, NO_ANSWER)
        return self._answer(self._choose(found.ranked, found.focus), found)

    def evidence(self, question: str, history: list[str]) -> "Evidence":
        """Retrieval for the question made standalone, and the signals abstention is decided on. A follow-up is
        answered from the conversation's document where it stays with it (_document)."""
        history = [self._respelt(h) for h in history if h.strip()]
        resolved = self._standalone(self._respelt(question.strip()), history)
        query, own = self._searched(resolved)
        query_tokens = question_tokens(query) + negated_tokens(self.store, query)
        vector = self.embedder.encode_query(query)
        document = self._document(history, resolved, own)
        within = None if document is None else self.store.document_passages(document)
        whole = within is None or len(within) == len(self.store.passages)  # what the subject chose is all of them
        if within is not None and not 0 < len(within) <= min(WITHIN_MOST, len(self.store.passages) - 1):
            within = None  # the whole corpus, or a document too large to score passage by passage: search it all
        ranked = self._rank(own, query, vector, query_tokens, within, within is not None or whole)
        quotable = self._quotable(ranked, frozenset(t for w in own_words(query) for t in tokens(w)))
        # The checks below read what the turn asks: not the situation it tells, nor the subject added from earlier.
        asked = asked_part(own, follows=bool(history))
        missing = missing_terms(self.store, asked, self.settings.rare_zipf)
        found = Evidence(query, Ranked(ranked.passages, quotable, ranked.best), missing,
                         focus=self._focus(query, vector, ranked))  # fmt: skip
        if not found.missing:
            found.foreign = self._foreign(query, own, history, quotable, ranked.passages)
            # Advice about the asker's own case is the documents' to give where they give it; where they don't, a
            # personal question on a medical matter is refused, and one on anything else ("Should I file form
            # B?" over a service's guides) is answered as any question is. A question is personal by what it asks
            # ("My son has SMA. Should he get gene therapy?"), not by the situation it tells: "My son has an
            # inherited eye condition. Are there gene therapies for children with eye diseases?" asks a fact, and "I
            # had a stroke and my doctor says I can't work. Can I get disability?" a benefit.
            # The documents' advice is theirs to give on what they speak of: "how often should i get a flu shot" is
            # near no sentence of an article on gene therapy, and is refused.
            found.personal = bool(quotable) and personal(asked) and (self._advice is not None or medical(asked))
        if quotable:
            # The sentence with its neighbours and the headings it stands under ("E1 - Water inlet fault" says what
            # error its "Cause: ..." is of).
            best = quotable[0][0]
            headings = self.store.passages[int(self.store.sentence_passage[best])].section
            window = " ".join([*headings, *(self.store.sentences[i].text for i in self._window(best))])
            found.unsupported = unsupported_qualifiers(asked, window)
        if ranked.best is not None:
            question = (float(bool(found.unsupported)), float(found.foreign), float(len(own_words(query))))
            found.signals = signals(np.array([p for _, p, _ in ranked.sentences]), ranked.best, question)
            found.confidence = round(self.selector.confidence(found.signals), 4)
        return found

    def _rank(self, own: str, query: str, vector: np.ndarray, query_tokens: list[str],
              within: np.ndarray | None, chosen: bool) -> Ranked:  # fmt: skip
        """The candidates ranked for the question as searched; where the subject added to the turn as context chose
        its document (chosen), for the turn's own words: the subject chose the document, the turn chooses the
        sentence ("Can she apply online?" after "My mother is 70 and doesn't drive. Can she get an ID?" does not
        ask who may get one again). Where that document is all of them (the only one, or what all are about), the
        turn is read both ways (_blended): "can my body react badly to it", of an article on gene therapy, asks
        about reacting, yet "how much does it cost" asks the price of gene therapy, not what else costs less. Each
        candidate keeps its similarity to the question as searched, which the similarity floor reads (a turn's few
        own words are like no sentence)."""
        if own == query or not chosen:
            return rank(self.store, query, vector, query_tokens, self.settings, self.topic_vector, self.selector,
                        within)  # fmt: skip
        ranked = rank(self.store, own, self.embedder.encode_query(own), question_tokens(own), self.settings,
                      self.topic_vector, self.selector, within)  # fmt: skip
        if within is None:
            searched = rank(self.store, query, vector, query_tokens, self.settings, self.topic_vector, self.selector)
            ranked = _blended(ranked, searched)
        ids = [sid for sid, _, _ in ranked.sentences]
        similar = (self.store.sentence_vectors[ids] @ vector).tolist() if ids else []
        return replace(ranked, sentences=[(sid, p, d) for (sid, p, _), d in zip(ranked.sentences, similar, strict=True)])

    def _standalone(self, question: str, history: list[str]) -> Resolved:
        """The question made standalone (server.answer.followup.standalone). The first question of a conversation
        that points at its subject with a pronoun ("how much does it cost", asked of an article on gene therapy)
        takes what the documents are about as its subject, as a follow-up takes the conversation's."""
        resolved = standalone(question, history)
        if history or resolved.context is not None or not pointed(question):
            return resolved
        subject = self._subject
        if not subject or set(tokens(subject)) & set(tokens(question)):  # none, or the question names it itself
            return resolved
        return Resolved(resolved.asked, subject)

    @cached_property
    def _subject(self) -> str:
        """What the documents are about, where one subject runs through most of their passages (corpus_subject)."""
        return " ".join(own_words(corpus_subject(self.store, self.settings.topic_share)))  # not "you", "your"

    def _document(self, history: list[str], resolved: Resolved, own: str) -> str | None:
        """The document a turn is answered from; None: the whole corpus. A turn that leans on the conversation is
        answered from the conversation's document (_conversation_document), unless it names what the document of
        its own best sentence is about (a word most of that document's passages use) and the conversation's never
        says ("also, can he get a library card at 15", after questions on a driver's licence). So is a follow-up
        that stands alone ("what paperwork should I get together before I apply", after questions on disability
        benefits, is not answered from the state ID guide's "Bring proof of identity"), unless it names something
        that document never says and the document of its own best sentence does, in a word rarer than everyday
        ones ("also my son needs a state ID, does he need his birth certificate?": the state ID guide; "bring"
        would name nothing), in two words of any kind ("i'm thinking of going back to school, could i get student
        aid for that", after questions on unemployment), or in what that document is about. A first question: the
        whole corpus."""
        leaning = resolved.subject_turn is not None
        turn = resolved.subject_turn if leaning else subject_turn(history, own)
        document = None if turn is None else self._conversation_document(history, turn)
        if document is None or len(self.store.documents) == 1:
            return document
        other = self._best_document(own) or document
        if other == document:
            return document
        rare = {stem(w) for w in naming(asked_part(own, follows=True))}
        shares = {t: self.store.shares_using(t) for t in rare | {stem(w) for w in turn_words(own)}}
        elsewhere = {t for t, used in shares.items() if used.get(other, 0.0) > 0 and not used.get(document, 0.0)}
        about = any(shares[t].get(other, 0.0) > self.settings.topic_share for t in elsewhere)
        if leaning:
            return None if about else document
        return None if elsewhere & rare or about or len(elsewhere) >= _SWITCHING else document

    def _conversation_document(self, history: list[str], turn: int) -> str | None:
        """The document a conversation is about: the one the earlier turn that gave it its subject was answered from
        (_turn_document). A turn that leans on the conversation ("Can she apply online?", "How long until I hear
        back?") asks about the same service; its own few words, or they with the subject added from earlier, would
        find the like passage of another document."""
        return self._answered_from(tuple(history[: turn + 1]))

    def _turn_document(self, turns: tuple[str, ...]) -> str | None:
        """The document a conversation's last turn was answered from, as evidence() chose it: its conversation's
        document where it stays with it (_document), else the one holding the best-ranked sentence for it made
        standalone. ("how much do i pay for just the book, not the card", in a conversation on renewing a passport,
        stays with the passport guide, though a library guide speaks of books and cards; and so does what follows
        it.) (The best passage's document can be another than the best sentence's: "I'm starting college next fall
        and need help paying for it" is answered from a student aid guide, and its best passage is a veterans'
        health guide's on paying.) Remembered per conversation, which asks it again at every turn."""
        history, question = list(turns[:-1]), turns[-1]
        resolved = self._standalone(question, history)
        query, own = self._searched(resolved)
        document = self._document(history, resolved, own) if history else None
        return document or self._best_document(query)

    def _searched(self, resolved: Resolved) -> tuple[str, str]:
        """The question as searched, and the turn's own words (without the subject added from earlier)."""
        query = joined_compounds(self.store, resolved.query)
        return query, query if resolved.context is None else joined_compounds(self.store, resolved.asked)

    def _best_document(self, text: str) -> str | None:
        """The document of the best-ranked sentence for a text searched over the whole corpus."""
        ranked = rank(self.store, text, self.embedder.encode_query(text), question_tokens(text), self.settings,
                      self.topic_vector, self.selector)  # fmt: skip
        return self.store.sentences[ranked.sentences[0][0]].doc_id if ranked.sentences else None

    def _quotable(self, ranked: Ranked, named: frozenset[str]) -> list[tuple[int, float, float]]:
        """The sentences scoring close to the best (keep_ratio) that are at least min_dense similar to the
        question or use every word it names its subject with (named, stemmed): "what does the green light mean" is
        0.12 like "the green light shows that automatic brewing is set". Where none is, those that use half of them
        and are near enough (_half_named), quoted only where no nearer one is: "Who was in the trial?" is not
        answered by "The trial was funded by ...". The best-scored sentence may share the question's words on
        another matter ("the multiplication of two integers" for "the two integer responses"); a close one that is
        about the question is quoted then."""
        if not ranked.sentences:
            return []
        least = max(p for _, p, _ in ranked.sentences) * self.settings.keep_ratio
        close = [s for s in ranked.sentences if s[1] >= least]
        return [s for s in close if s[2] >= self.settings.min_dense or named and named <= self._terms(s[0])] or [
            s for s in close if self._half_named(s[0], s[2], named)]

    def _half_named(self, sid: int, similarity: float, named: frozenset[str]) -> bool:
        """Whether a sentence uses half the words the question names its subject with beyond what the documents are
        about (_subject: any sentence of an article on gene therapy uses "gene therapy") and is at least NAMED_FLOOR
        like it ("what was the average age": "mean age, 67.4 years", 0.21)."""
        asked = named - self._subject_terms
        return bool(asked) and len(asked & self._terms(sid)) >= len(asked) / 2 and similarity >= NAMED_FLOOR

    def _terms(self, sid: int) -> frozenset[str]:
        return self.store.sentence_words(sid).unique

    @cached_property
    def _subject_terms(self) -> frozenset[str]:
        return frozenset(tokens(self._subject))

    def _foreign(self, query: str, own: str, history: list[str], quotable: list,
                 passages: list[tuple[int, float]]) -> bool:  # fmt: skip
        """Whether the question is foreign to the documents (server.answer.terms.foreign): none of its own words is
        theirs, nor a word the best passages use in its place (_said_otherwise: "is it expensive" of a text on the
        "cost" of treatments). A first question is read without the documents' subject added to it ("is it painful
        (gene therapy)" names nothing they say); its everyday words may still say what a quotable sentence says
        ("does it last forever": "long-lasting effects"), and then it is not foreign."""
        searched = bool(history) or own == query  # read as searched: no subject of the documents' added
        asked = query if searched else own
        if not foreign(self.store, asked) or self._said_otherwise(asked, passages):
            return False
        if searched:
            return True
        ids = [sid for sid, _, _ in quotable]
        vector = self.embedder.encode_query(own)
        return not ids or float(np.max(self.store.sentence_vectors[ids] @ vector)) < self.settings.min_dense

    def _said_otherwise(self, question: str, passages: list[tuple[int, float]]) -> bool:
        """Whether a word of the best passages means what one of the question's own words does: the two, encoded
        alone, at least SAID_OTHERWISE alike ("expensive": "cost", "loud": "noise", "daughter": "parent")."""
        asked = list(dict.fromkeys(w.lower() for w in own_words(question) if not w.isdigit()))
        words = sorted({w.lower() for pid, _ in passages[:SAID_IN] for w in WORD.findall(self.store.passages[pid].text)
                        if not is_stopword(w) and not w.isdigit()})  # fmt: skip
        if not asked or not words:
            return False
        return bool((self._word_vectors(asked) @ self._word_vectors(words).T).max() >= SAID_OTHERWISE)

    def _word_vectors(self, words: list[str]) -> np.ndarray:
        """Each word encoded alone by the question encoder, remembered (the passages' words recur)."""
        vectors = {w: v for w in words if (v := self._words.get(w)) is not None}
        if missing := [w for w in words if w not in vectors]:
            fresh = dict(zip(missing, self.embedder.encode(missing), strict=True))
            if len(self._words) + len(fresh) > WORDS_REMEMBERED:
                self._words.clear()
            self._words.update(fresh)
            vectors.update(fresh)
        return np.stack([vectors[w] for w in words])

    def _focus(self, query: str, vector: np.ndarray, ranked: Ranked) -> int | None:
        """Of the retrieved sentences at least min_dense similar to the question, the one most like it once the
        direction of the corpus's topic words is taken out of its vector. "Are gene therapy results permanent?" is
        near every sentence on gene therapy; without the topic, it is nearest "Some treatments appear to produce
        long-lasting effects". None when the question has no topic word."""
        topic = topic_words(self.store, query, self.settings.topic_share)
        pool = [sid for sid, _, dense in ranked.sentences if dense >= self.settings.min_dense] if topic else []
        if not pool:
            return None
        aim = beyond(vector, self.topic_vector(" ".join(topic).lower()))
        return pool[int(np.argmax(self.store.sentence_vectors[pool] @ aim))]

    def _window(self, sid: int) -> list[int]:
        """A sentence with its neighbours in the same passage."""
        return [i for i in (sid - 1, sid, sid + 1) if self._same_passage(sid, i)]

    def supported(self, found: "Evidence") -> bool:
        """Whether the rules let the evidence answer: a qualifier it lacks (check_qualifiers) or a question foreign
        to the documents (check_foreign) refuses it; either way both are signals of the answer's confidence."""
        lacks = bool(found.unsupported) and self.settings.check_qualifiers
        return not lacks and not (found.foreign and self.settings.check_foreign)

    def _choose(self, ranked: Ranked, focus: int | None) -> list[int]:
        """The best quotable sentence, a neighbour it can't stand without (the first part of a sentence a page
        break cut goes before it), then other quotable ones. When they fill every place, the last goes to the focus
        sentence if it is not among them: a second view of the question, where the first is swayed by the corpus's
        topic words. A text that stands in several places (the same words, whitespace aside) is quoted once. A
        best sentence that states a problem is answered by the lines labelled as its cause and solution instead
        (_labelled_answer)."""
        sentences, most = self.store.sentences, self.settings.max_sentences
        best = ranked.sentences[0][0]
        if labelled := self._labelled_answer(best):
            return labelled[:most]
        chosen, seen = [best], {_normal(sentences[best].text)}

        def add(sid: int) -> None:
            if sid not in chosen and (text := _normal(sentences[sid].text)) not in seen:
                chosen.append(sid)
                seen.add(text)

        if broken(self.store, best - 1, best):  # a sentence a page break cut: its first part comes first
            chosen.insert(0, best - 1)
            seen.add(_normal(sentences[best - 1].text))
        elif POINTER.match(sentences[best].text) and self._same_passage(best, best - 1) and (
            quotable_shape(self.store, best - 1)
        ):
            add(best - 1)
        elif sentences[best].text.rstrip().endswith(":") and best + 1 < len(sentences) and (
            sentences[best + 1].doc_id == sentences[best].doc_id
        ):
            add(best + 1)
        if broken(self.store, best, best + 1):
            add(best + 1)
        needed = len(chosen)
        for sid, _, _ in ranked.sentences[1:]:
            if len(chosen) >= most:
                break
            add(sid)
        follower = best + 1  # with room left, a sentence that carries on from the best one comes along
        if len(chosen) < most and self._same_passage(best, follower) and CONTINUES.match(sentences[follower].text):
            add(follower)
        chosen = chosen[:most]
        if focus is not None and len(chosen) == most > needed and _normal(sentences[focus].text) not in {
            _normal(sentences[sid].text) for sid in chosen
        }:
            chosen[-1] = focus
        return chosen

    def _labelled_answer(self, sid: int) -> list[int]:
        """The lines labelled as the answer to a sentence that states a problem ("The laundry is still very wet after
        the programme." | "Cause: The load was unbalanced ..." | "Solution: Add a few more items ..."), each with
        the sentences of its passage, under the same heading: the problem restates the asker's trouble, they answer
        it. Empty for any other sentence."""
        sentences, owner, passages = self.store.sentences, self.store.sentence_passage, self.store.passages
        own = passages[int(owner[sid])]
        if any(ANSWER_LABEL.match(s.text) for s in own.sentences):  # an answer's own line, not a problem
            return []
        answer: list[int] = []
        at = sid + 1
        while at < len(sentences) and sentences[at].doc_id == sentences[sid].doc_id and owner[at] != owner[sid]:
            if not ANSWER_LABEL.match(sentences[at].text) or passages[int(owner[at])].section != own.section:
                break
            passage = owner[at]
            while at < len(sentences) and owner[at] == passage:
                answer.append(at)
                at += 1
        return answer

    def _same_passage(self, a: int, b: int) -> bool:
        return 0 <= b < len(self.store.sentences) and self.store.sentence_passage[a] == self.store.sentence_passage[b]

    def _answer(self, chosen: list[int], found: "Evidence") -> Answer:
        scores = dict(found.ranked.passages)
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        quotes: list[Quote] = []
        for sid in chosen:
            sentence: Sentence = self.store.sentences[sid]
            pid = int(self.store.sentence_passage[sid])
            if pid not in numbers:
                numbers[pid] = len(numbers) + 1
                citations.append(_citation(numbers[pid], self.store.passages[pid], scores.get(pid, 0.0)))
            quotes.append(Quote(sentence.text, numbers[pid], sentence.start, sentence.end))
        text = " ".join(f"{' '.join(q.text.split())} [{q.citation}]" for q in quotes)
        return Answer(True, text, quotes, citations, query=found.query, confidence=found.confidence)

    def _advise(self, found: "Evidence") -> Answer:
        """A personal question's answer: the documents' own advice to seek individual advice, or an abstention.
        Their facts answer someone else's case, not the asker's; one is quoted after the advice only where both
        views of the question agree on it, as an answer the rules allow: the best-ranked sentence is also the one
        most like what the question asks beyond the documents' topic ("my daughter had a virus before, can she
        still get gene therapy": "Prior exposure to certain viruses can make some patients ineligible ..."; for
        "Is gene therapy right for my son?" the two differ, and the advice stands alone)."""
        advice = self._advice
        if advice is None or (found.foreign and not medical(found.query)):  # "Should I buy a laptop?"
            return self._abstain(found, NO_ANSWER)
        sid, confidence = advice
        advised = Evidence(found.query, Ranked(found.ranked.passages, [(sid, 1.0, 1.0)]), [], confidence=confidence)
        chosen = [sid]
        best = found.ranked.sentences[0][0] if found.ranked.sentences else None
        agreed = best is not None and best == found.focus and self.supported(found)
        if agreed and _normal(self.store.sentences[best].text) != _normal(self.store.sentences[sid].text):
            chosen.append(best)
        return self._answer(chosen, advised)

    @cached_property
    def _advice(self) -> tuple[int, float] | None:
        """The sentence most like ADVICE, when at least advice_similarity alike, with the confidence of the answer to
        ADVICE itself; found once per loaded index."""
        ids, sims = self.store.dense(self.embedder.encode_query(ADVICE), 1, sentences=True)
        if not len(ids) or sims[0] < self.settings.advice_similarity or not quotable_shape(self.store, int(ids[0])):
            return None
        return int(ids[0]), self.evidence(ADVICE, []).confidence or 0.0

    def _abstain(self, found: "Evidence", message: str) -> Answer:
        best = found.ranked.passages[: self.settings.related]
        related = [_citation(n, self.store.passages[pid], score) for n, (pid, score) in enumerate(best, start=1)]
        return Answer(False, message, related=related, missing_terms=found.missing, query=found.query)
