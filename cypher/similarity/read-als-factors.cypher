// What folding a user into version $version of $model needs (see write-als-factors). Params: $model STRING,
// $version INTEGER. Columns: factors, items, itemFactors, mean, settings (no row when the version has none).
MATCH (f:AlsFactors {model: $model, version: $version})
RETURN f.factors AS factors, f.items AS items, f.itemFactors AS itemFactors, f.mean AS mean, f.settings AS settings
