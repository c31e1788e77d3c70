package initclock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/initclock"
	"gofn/workloads/lint/internal/linttest"
)

func TestReportsClockFrozenAtInit(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), initclock.Analyzer, "initclock/bad")
}

func TestLeavesAgeLoggingAndRefreshedValuesAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), initclock.Analyzer, "initclock/good")
}
