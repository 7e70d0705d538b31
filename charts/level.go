package charts

import (
	"fmt"
	"math"
	"strconv"
)

// LevelLabel writes a confidence level as evaluators read it in captions,
// legends and column headers: 0.95 → "95 %", 0.9 → "90 %", 0.995 →
// "99.5 %" (to 0.01 %, so binary rounding never shows as 90.00000000000001).
// Pages and charts take it from the level actually used, never a constant.
func LevelLabel(confidence float64) string {
	return strconv.FormatFloat(math.Round(confidence*1e4)/1e2, 'f', -1, 64) + " %"
}

// levelLabel is LevelLabel for builders, refusing a level that is no
// probability.
func levelLabel(confidence float64) (string, error) {
	if !(confidence > 0 && confidence < 1) {
		return "", fmt.Errorf("charts: confidence %v is not in (0, 1)", confidence)
	}
	return LevelLabel(confidence), nil
}
