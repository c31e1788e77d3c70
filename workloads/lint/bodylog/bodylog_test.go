package bodylog_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/bodylog"
	"gofn/workloads/lint/internal/linttest"
)

func TestReportsLoggedBodies(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), bodylog.Analyzer, "bodylog/bad")
}

func TestLeavesSizesAndPickedFieldsAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), bodylog.Analyzer, "bodylog/good")
}
