package secrets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// These tests run against the AWS emulator (moto), started here: GOFN_MOTO names its
// moto_server (workloads/scripts/test.sh sets it, as for the e2e tests), else the repository's
// .venv, which scripts/setup.sh all creates.

var endpoint string

func TestMain(m *testing.M) {
	stop, err := startMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, "secrets:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func startMoto() (func(), error) {
	bin := os.Getenv("GOFN_MOTO")
	if bin == "" {
		bin, _ = filepath.Abs("../../../.venv/bin/moto_server")
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no moto_server at %s; run sh scripts/setup.sh all, or set GOFN_MOTO", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return stop, nil
		}
	}
	stop()
	return nil, fmt.Errorf("moto did not answer on %s within 30 s", endpoint)
}

func awsConfig() aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// counting counts the requests a Source makes, so the tests can see what the cache saves.
type counting struct {
	Source
	fetches atomic.Int32
}

func (c *counting) Fetch(ctx context.Context, name string) (string, error) {
	c.fetches.Add(1)
	return c.Source.Fetch(ctx, name)
}

func uniqueName(t *testing.T) string {
	return "/gofn-test/" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
}

func putParameter(t *testing.T, client *ssm.Client, name, value string) {
	t.Helper()
	_, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecureStringFetchedLazilyAndCachedForTheTTL(t *testing.T) {
	// Prepare
	ctx := context.Background()
	client := ssm.NewFromConfig(awsConfig())
	name := uniqueName(t)
	putParameter(t, client, name, "token-v1")
	source := &counting{Source: SSMParameters{Client: client}}
	now := time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC)
	cache := New(source).WithClock(func() time.Time { return now })

	// Act and assess: nothing is fetched before it is needed.
	if n := source.fetches.Load(); n != 0 {
		t.Fatalf("%d fetches before the first Get", n)
	}
	first, err := cache.Get(ctx, name)
	if err != nil || first != "token-v1" {
		t.Fatalf("Get = %q, %v; want the decrypted token-v1", first, err)
	}
	putParameter(t, client, name, "token-v2") // rotated
	now = now.Add(DefaultTTL - time.Second)
	if v, _ := cache.Get(ctx, name); v != "token-v1" || source.fetches.Load() != 1 {
		t.Fatalf("within the TTL: %q after %d fetches; want the cached token-v1 after 1", v, source.fetches.Load())
	}
	now = now.Add(time.Second)
	if v, _ := cache.Get(ctx, name); v != "token-v2" || source.fetches.Load() != 2 {
		t.Fatalf("after 5 minutes: %q after %d fetches; want token-v2 after 2", v, source.fetches.Load())
	}
}

func TestRotatedSecretIsFetchedAgainOnceWhenTheDownstreamRefusesIt(t *testing.T) {
	// Prepare: a Secrets Manager secret cached, then rotated.
	ctx := context.Background()
	client := secretsmanager.NewFromConfig(awsConfig())
	name := strings.TrimPrefix(uniqueName(t), "/")
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("pw-1")}); err != nil {
		t.Fatal(err)
	}
	source := &counting{Source: SecretsManagerSecrets{Client: client}}
	cache := New(source)
	if _, err := cache.Get(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("pw-2")}); err != nil {
		t.Fatal(err)
	}
	var tried []string
	downstream := func(pw string) error {
		tried = append(tried, pw)
		if pw != "pw-2" {
			return fmt.Errorf("database: password rejected: %w", ErrAuth)
		}
		return nil
	}

	// Act
	err := cache.Use(ctx, name, downstream)

	// Assess
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tried, ",") != "pw-1,pw-2" || source.fetches.Load() != 2 {
		t.Fatalf("tried %v after %d fetches; want pw-1 then the rotated pw-2 after 2", tried, source.fetches.Load())
	}
	if v, _ := cache.Get(ctx, name); v != "pw-2" || source.fetches.Load() != 2 {
		t.Fatalf("the rotated value is not the cached one: %q after %d fetches", v, source.fetches.Load())
	}
}

func TestSecondAuthFailureIsReturnedWithoutAnotherFetch(t *testing.T) {
	// Prepare
	ctx := context.Background()
	client := ssm.NewFromConfig(awsConfig())
	name := uniqueName(t)
	putParameter(t, client, name, "wrong")
	source := &counting{Source: SSMParameters{Client: client}}
	cache := New(source)
	calls := 0

	// Act
	err := cache.Use(ctx, name, func(string) error { calls++; return fmt.Errorf("api: 401: %w", ErrAuth) })

	// Assess
	if !errors.Is(err, ErrAuth) || calls != 2 || source.fetches.Load() != 2 {
		t.Fatalf("err %v after %d calls and %d fetches; want ErrAuth after 2 calls and 2 fetches", err, calls, source.fetches.Load())
	}
}

func TestOtherDownstreamErrorsKeepTheCachedValue(t *testing.T) {
	ctx := context.Background()
	client := ssm.NewFromConfig(awsConfig())
	name := uniqueName(t)
	putParameter(t, client, name, "token")
	source := &counting{Source: SSMParameters{Client: client}}
	cache := New(source)
	timeout := errors.New("api: timeout")

	err := cache.Use(ctx, name, func(string) error { return timeout })

	if !errors.Is(err, timeout) || source.fetches.Load() != 1 {
		t.Fatalf("err %v after %d fetches; want the timeout after 1 fetch", err, source.fetches.Load())
	}
}

func TestMissingSecretNamesItAndIsNotCached(t *testing.T) {
	// Prepare
	ctx := context.Background()
	client := ssm.NewFromConfig(awsConfig())
	name := uniqueName(t)
	source := &counting{Source: SSMParameters{Client: client}}
	cache := New(source)

	// Act
	_, err := cache.Get(ctx, name)

	// Assess: SSM's ParameterNotFound, with the name.
	if err == nil || !strings.Contains(err.Error(), "SSM parameter "+name) || !strings.Contains(err.Error(), "ParameterNotFound") {
		t.Fatalf("err %v; want a ParameterNotFound naming %s", err, name)
	}
	putParameter(t, client, name, "created later")
	if v, err := cache.Get(ctx, name); err != nil || v != "created later" {
		t.Fatalf("after the parameter was created: %q, %v", v, err)
	}
}
