// What folding a user into version $version of $model needs (see write-als-factors); no row when the version has
// none.
// @param model STRING
// @param version INTEGER
// @column factors INTEGER
// @column items LIST<STRING>
// @column itemFactors STRING
// @column mean STRING?
// @column settings STRING
MATCH (f:AlsFactors {model: $model, version: $version})
RETURN f.factors AS factors, f.items AS items, f.itemFactors AS itemFactors, f.mean AS mean, f.settings AS settings
