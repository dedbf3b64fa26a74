-- Retrieval. Embedding cache: one vector per (product, embedding model), valid while the text the
-- model embedded still hashes to text_hash, so re-ingesting an unchanged product costs no embedding.
CREATE TABLE embedding_cache (
  product_id  TEXT NOT NULL,
  model_id    TEXT NOT NULL,
  text_hash   TEXT NOT NULL,
  vector      BLOB NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (product_id, model_id)
);

-- What each vector index (engine + location + model) holds: the hash of the vector and payload
-- inputs per product, written after the index has made the batch durable. Lets an interrupted
-- sync resume and skip products whose index entry is already current.
CREATE TABLE vector_index_state (
  index_key   TEXT NOT NULL,
  product_id  TEXT NOT NULL,
  item_hash   TEXT NOT NULL,
  PRIMARY KEY (index_key, product_id)
);
