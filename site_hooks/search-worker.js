/*
 * gpt2guide: Material's search worker, with each query made to fit the index it searches.
 * Written into the site by site_hooks/search.py (which fills in MATERIAL_WORKER); every page's
 * __config names this file as its search worker. It only rewrites the query of a QUERY message
 * before Material's own handler (loaded below) sees it; the index, the ranking and the result
 * list are Material's.
 *
 * - English (both indexes are unstemmed): Material turns every word into a prefix search
 *   ("embeddings" -> "embeddings*"), which skips lunr's stemmer, so a stemmed index never
 *   matched "embeddings" or "tokens". The index keeps the words as written, and a plain word
 *   becomes its Porter stem when that is a prefix of it: "embeddings" -> "embed*", which
 *   finds embed, embedding and embeddings.
 * - Japanese: Material segments the pages with TinySegmenter but not the query, and a query
 *   is a prefix search. TinySegmenter cuts by context ("大規模言語モデル" alone is
 *   大規模|言語|モデル, inside a sentence 大規|模言|語|モデル), so 言語モデル, 埋め込み or
 *   ソフトマックス found nothing or missed pages. Here the pages and the query are cut the same
 *   way, by script alone (kanji, hiragana, katakana, other): a query that occurs in a page then
 *   has each of its pieces inside a piece of the page, and each piece is required anywhere in a
 *   piece of the page: "言語モデル" -> "+*言語* +*モデル*" finds 大規模言語|モデル.
 * References: Material for MkDocs src/templates/assets/javascripts/integrations/search
 * (worker/main, query/transform); lunr.js Query (wildcards bypass the pipeline); TinySegmenter.
 */
"use strict"

var QUERY = 2  // Material's SearchMessageType.QUERY
var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/
var SYNTAX = /["+\-~^:*]/  // a query written in lunr's syntax is left as it is

function englishTerm(term) {
  if (!/^[A-Za-z]+$/.test(term) || !self.lunr || !lunr.stemmer) return term
  var word = term.toLowerCase()
  var stem = lunr.stemmer(new lunr.Token(word)).toString()
  return stem.length >= 3 && word.indexOf(stem) === 0 ? stem : term
}

// The script of a character: kanji (with 々〆ヵヶ), hiragana, katakana (with ー), or other.
function script(c) {
  if (/[\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]/.test(c)) return "H"
  if (/[\u3041-\u309f]/.test(c)) return "I"
  if (/[\u30a0-\u30ff\uff66-\uff9f]/.test(c)) return "K"
  return "O"
}

// Stands in for TinySegmenter: the same two methods, Material's tokenizer calls both.
function ScriptSegmenter() {}
ScriptSegmenter.prototype.ctype_ = function (text) {  // as TinySegmenter: M, H, I, K mark Japanese
  return JAPANESE.test(text) ? "H" : /[A-Za-z]/.test(text) ? "A" : /[0-9]/.test(text) ? "N" : "O"
}
ScriptSegmenter.prototype.segment = function (text) {  // pieces of one script, in order, joined = text
  var pieces = []
  for (var i = 0; i < text.length; i++) {
    var last = pieces.length - 1
    if (last >= 0 && script(text[i]) === script(pieces[last][0])) pieces[last] += text[i]
    else pieces.push(text[i])
  }
  return pieces
}

function japaneseTerm(term) {
  if (!self.lunr || !lunr.segmenter) return term
  var segments = lunr.segmenter.segment(term).filter(function (s) { return s.trim() })
  // A backslash between two kanji hides the run from Material's Chinese segmentation, which
  // would cut 言語 down to 言 (a word of the index); lunr's query lexer drops the backslash.
  return segments.map(function (s) {
    return "+*" + s.replace(/([\u3400-\u9fff\uf900-\ufaff々〆ヵヶ])(?=[\u3400-\u9fff\uf900-\ufaff々〆ヵヶ])/g, "$1\\") + "*"
  }).join(" ")
}

function rewrite(query) {
  if (SYNTAX.test(query)) return query
  return query.split(/\s+/).filter(Boolean).map(function (term) {
    return JAPANESE.test(term) ? japaneseTerm(term) : englishTerm(term)
  }).join(" ")
}

// Registered before Material's listener, so it runs first and Material searches the new query.
addEventListener("message", function (event) {
  var message = event.data
  if (message && message.type === QUERY && typeof message.data === "string")
    message.data = rewrite(message.data)
})

importScripts("MATERIAL_WORKER")

// Material loads TinySegmenter (lunr/tinyseg.js) when the index is Japanese and then uses
// lunr.TinySegmenter: it gets the script segmenter instead.
Object.defineProperty(self.lunr, "TinySegmenter", {
  configurable: true,
  get: function () { return ScriptSegmenter },
  set: function () {}
})
