/*
 * How the search page ranks and quotes its results: Sphinx's html_search_scorer, set by
 * _ext/search_compounds.py, whose file Sphinx writes into language_data.js, after its own
 * searchtools.js.
 *
 * Ranking. Sphinx scores a page by its best single word, and breaks ties by title,
 * alphabetically: for "weight decay" or "transfer learning" the chapter titled so came fourth,
 * after "Accelerated SGD…" and others that use the words in a heading. A page whose title holds
 * every word of the query, hyphens aside, is raised above those. Sphinx's own weights are kept
 * as they are: a scorer given here replaces its whole Scorer.
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

/*
 * Quoting. Sphinx quotes each result from its page's main element, which in this theme holds
 * the article's header (its buttons: an excerpt read "…Colab" or "….md"), the "Contents" lists
 * (the sidebar's, and the one kept for print) and previous/next besides the article; and where
 * the page does not hold the stemmed word as written (a word the index added, such as
 * "backpropag" for "back-propagation"), it quotes the element's start, which was those buttons.
 * Here the quote comes from the article's prose alone: no header, contents list, code or
 * navigation, and a formula's TeX without its delimiters. Its runs of white space are one space
 * each: the page's indentation took a quote's 240 characters.
 */
if (typeof Search !== "undefined") {
  const notQuoted =
    ".headerlink, script, style, .bd-header-article, .bd-sidebar-secondary, .onlyprint, " +
    ".prev-next-area, .bd-footer-article, .cell_input, div.highlight";
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(notQuoted).forEach((element) => element.remove());
    const main = page.querySelector('[role="main"]');
    const part = (anchor && main?.querySelector(anchor)) || main;
    return part ? part.textContent.replace(/\\[()[\]]/g, "").replace(/\s+/g, " ") : "";
  };
}
