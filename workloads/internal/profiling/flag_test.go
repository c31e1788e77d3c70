package profiling

import (
	"strings"
	"testing"
	"time"
)

func TestParseFlag(t *testing.T) {
	until := time.Date(2026, 11, 26, 15, 7, 30, 0, time.UTC)
	cases := []struct {
		raw    string
		on     bool
		errHas string
	}{
		{"", false, ""},
		{" off\n", false, ""},
		{`{"version":"42","until":"2026-11-26T15:07:30Z","seconds":30,"session":"p-1"}`, true, ""},
		{`{"version":"42","until":"2026-11-26T15:07:30Z","seconds":301,"session":"p-1"}`, false, "301 seconds"},
		{`{"version":"","until":"2026-11-26T15:07:30Z","seconds":30,"session":"p-1"}`, false, "no version"},
		{`{"version":"42","seconds":30,"session":"p-1"}`, false, "no until"},
		{`{"version":"42","until":"2026-11-26T15:07:30Z","seconds":30,"session":"../x"}`, false, "session"},
		{`on`, false, "neither off nor JSON"},
	}
	for _, c := range cases {
		f, on, err := ParseFlag(c.raw)
		if on != c.on || (c.errHas == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("ParseFlag(%q) = %v, %v, %v", c.raw, f, on, err)
		}
		if on && (f.Version != "42" || !f.Until.Equal(until) || f.Seconds != 30 || f.Session != "p-1") {
			t.Errorf("ParseFlag(%q) = %+v", c.raw, f)
		}
	}
}

func TestInstanceIDIsTheLogStreamsEnvironmentID(t *testing.T) {
	if got := InstanceID("2026/11/26/[42]0123abcdef0123abcdef0123abcdef01"); got != "0123abcdef0123abcdef0123abcdef01" {
		t.Errorf("got %q", got)
	}
	if got := InstanceID("2026/11/26/[$LATEST]ab/cd"); got != "ab-cd" {
		t.Errorf("got %q", got)
	}
	if got := InstanceID(""); !strings.HasPrefix(got, "env-") || len(got) != 20 {
		t.Errorf("got %q", got)
	}
}
