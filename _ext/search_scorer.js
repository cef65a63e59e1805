/*
 * Sphinx's search scorer for this book (html_search_scorer, set by _ext/search_compounds.py).
 * Sphinx scores a page by its best single word, and breaks ties by title, alphabetically: for
 * "weight decay" or "transfer learning" the chapter titled so came fourth, after "Accelerated
 * SGD…" and others that use the words in a heading. A page whose title holds every word of the
 * query, hyphens aside, is raised above those. Sphinx's own weights are kept as they are: a
 * scorer given here replaces its whole Scorer.
 */
var Scorer = {
  score: (result) => {
    const [, title, , , score] = result;
    const query = new URLSearchParams(location.search).get("q") || "";
    const words = query.toLowerCase().replace(/-/g, "").split(/\s+/).filter(Boolean);
    const named = (title || "").toLowerCase().replace(/-/g, "");
    return words.length && words.every((word) => named.includes(word)) ? score + 20 : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
