package panicflow_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/panicflow"
)

func TestReportsPanicsInHandlers(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), panicflow.Analyzer, "bad")
}

func TestLeavesOtherPanicsAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), panicflow.Analyzer, "good")
}
