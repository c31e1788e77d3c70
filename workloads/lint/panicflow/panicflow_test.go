package panicflow_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/internal/linttest"
	"gofn/workloads/lint/panicflow"
)

func TestReportsPanicsInHandlers(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), panicflow.Analyzer, "panicflow/bad")
}

func TestLeavesOtherPanicsAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), panicflow.Analyzer, "panicflow/good")
}
