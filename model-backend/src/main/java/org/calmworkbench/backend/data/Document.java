package org.calmworkbench.backend.data;

/**
 * One unit of a corpus: the piece that is tokenized at once and assigned as a whole to the train
 * or the validation split.
 *
 * @param source the file it came from, as shown in messages
 * @param line 1-based line of the file where the document starts
 * @param text the text, at most {@link CorpusReader#MAX_DOCUMENT_CHARS} chars
 * @param continuesPrevious true if this text directly follows the previous document of the same
 *     file (the next paragraph of a plain-text file, or the rest of an over-long text); the token
 *     stream then joins the two without an end-of-text id when both land next to each other in
 *     the same split
 */
public record Document(String source, long line, String text, boolean continuesPrevious) {}
