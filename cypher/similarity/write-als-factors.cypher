// Keeps with version $version of $model what folding a new user into it needs: the item keys in factor-row order,
// the item factors and the mean user row subtracted before the cosine (base64 of little-endian float32), and the
// confidence settings (JSON). Written before the version is switched to, so an active version always has them.
// @param model STRING
// @param version INTEGER
// @param factors INTEGER
// @param items LIST<STRING>
// @param itemFactors STRING
// @param mean STRING?
// @param settings STRING
// @column version INTEGER
MERGE (f:AlsFactors {model: $model, version: $version})
SET f.factors = $factors,
  f.items = $items,
  f.itemFactors = $itemFactors,
  f.mean = $mean,
  f.settings = $settings,
  f.writtenAt = datetime()
RETURN f.version AS version
