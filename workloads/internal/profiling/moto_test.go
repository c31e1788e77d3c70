//go:build linux

package profiling

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// The AWS emulator (moto) these tests store profiles and flags in, started on first use, on a
// free loopback port, and stopped by TestMain.
var emulator struct {
	once     sync.Once
	endpoint string
	cmd      *exec.Cmd
	err      error
}

// motoServer finds the emulator: GOFN_MOTO, else the repository's Python venv.
func motoServer() (string, error) {
	if p := os.Getenv("GOFN_MOTO"); p != "" {
		return p, nil
	}
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		p := filepath.Join(dir, ".venv", "bin", "moto_server")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("moto_server not found (GOFN_MOTO unset, no .venv above); run: sh scripts/setup.sh all")
}

func motoEndpoint(t testing.TB) string {
	t.Helper()
	emulator.once.Do(func() {
		bin, err := motoServer()
		if err != nil {
			emulator.err = err
			return
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			emulator.err = err
			return
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + os.TempDir()}
		// Its own process group, and killed with this test binary, so nothing outlives the run.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if emulator.err = cmd.Start(); emulator.err != nil {
			return
		}
		emulator.cmd = cmd
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				emulator.endpoint = "http://" + addr
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		emulator.err = fmt.Errorf("moto_server not listening on %s after 60s", addr)
	})
	if emulator.err != nil {
		t.Fatal(emulator.err)
	}
	return emulator.endpoint
}

func stopEmulator() {
	if emulator.cmd != nil {
		_ = syscall.Kill(-emulator.cmd.Process.Pid, syscall.SIGTERM)
		_, _ = emulator.cmd.Process.Wait()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopEmulator()
	os.Exit(code)
}

// countingTransport counts the requests a client sends.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// emulatorConfig is what a function's AWS configuration would be against the emulator.
func emulatorConfig(endpoint string, transport http.RoundTripper) aws.Config {
	return aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: testCredentials,
		HTTPClient: &http.Client{Transport: transport, Timeout: 5 * time.Second},
	}
}

var testCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
})

func ssmClient(endpoint string, transport http.RoundTripper) *ssm.Client {
	return ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: testCredentials,
		HTTPClient: &http.Client{Transport: transport, Timeout: 5 * time.Second},
	})
}

func s3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: testCredentials, UsePathStyle: true,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
	})
}
