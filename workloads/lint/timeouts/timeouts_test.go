package timeouts_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/internal/linttest"
	"gofn/workloads/lint/timeouts"
)

func TestReportsCallsWithoutTimeouts(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), timeouts.Analyzer, "timeouts/bad")
}

func TestLeavesBoundedCallsAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), timeouts.Analyzer, "timeouts/good")
}
