// Keeps with version $version of $model what folding a new user into it needs: the item keys in factor-row order,
// the item factors and the mean user row subtracted before the cosine (base64 of little-endian float32), and the
// confidence settings (JSON). Written before the version is switched to, so an active version always has them.
// Params: $model STRING, $version INTEGER, $factors INTEGER, $items LIST<STRING>, $itemFactors STRING,
// $mean STRING or null, $settings STRING. Columns: version.
MERGE (f:AlsFactors {model: $model, version: $version})
SET f.factors = $factors,
  f.items = $items,
  f.itemFactors = $itemFactors,
  f.mean = $mean,
  f.settings = $settings,
  f.writtenAt = datetime()
RETURN f.version AS version
