package timeouts_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/timeouts"
)

func TestReportsCallsWithoutTimeouts(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), timeouts.Analyzer, "bad")
}

func TestLeavesBoundedCallsAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), timeouts.Analyzer, "good")
}
