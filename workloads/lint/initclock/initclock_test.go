package initclock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/initclock"
)

func TestReportsClockFrozenAtInit(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), initclock.Analyzer, "bad")
}

func TestLeavesAgeLoggingAndRefreshedValuesAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), initclock.Analyzer, "good")
}
