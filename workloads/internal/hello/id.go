package hello

import (
	"errors"
	"fmt"
)

// MaxIDLength keeps ids well inside DynamoDB's 2,048-byte partition key limit and out of log
// lines that would be too long to read.
const MaxIDLength = 64

// ParseID validates the {id} path parameter: 1 to 64 of A-Z, a-z, 0-9, '-' and '_'. Anything
// else is rejected before it reaches DynamoDB or a log line.
func ParseID(s string) (string, error) {
	if s == "" {
		return "", errors.New("missing id")
	}
	if len(s) > MaxIDLength {
		return "", fmt.Errorf("id longer than %d characters", MaxIDLength)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", errors.New("id may contain only letters, digits, '-' and '_'")
		}
	}
	return s, nil
}
