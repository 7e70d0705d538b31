package stats

import "fmt"

// SUSScore is the System Usability Scale score (Brooke 1986) of one
// questionnaire: answers are the ten items in order, each 1 (strongly
// disagree) to 5 (strongly agree). Odd items contribute answer − 1, even
// items 5 − answer; the sum (0–40) times 2.5 gives 0–100. For example
// 4,2,5,1,4,2,4,2,5,2 scores 82.5. It is not a percentage; 68 is the
// average of published studies.
//
// It returns an error naming the item (sus1 … sus10) when there are not
// exactly ten answers or one lies outside 1–5.
func SUSScore(answers []int) (float64, error) {
	if len(answers) != 10 {
		return 0, fmt.Errorf("SUS has 10 items, got %d", len(answers))
	}
	sum := 0
	for i, a := range answers {
		if a < 1 || a > 5 {
			return 0, fmt.Errorf("sus%d must be 1 to 5, not %d", i+1, a)
		}
		if i%2 == 0 { // items 1, 3, 5, 7, 9
			sum += a - 1
		} else {
			sum += 5 - a
		}
	}
	return float64(sum) * 2.5, nil
}
