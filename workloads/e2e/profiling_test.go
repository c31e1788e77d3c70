//go:build rie && linux

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func s3Client(t *testing.T) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(motoEndpoint(t)), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	})
}

func ssmClient(t *testing.T) *ssm.Client {
	return ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(motoEndpoint(t)),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	})
}

// TestProfilingUnderTheRIE turns profiling on for the running version of hello, as gofn profile
// does, and checks that the bootstrap records across the real invocations the RIE hands it and
// uploads a CPU and a heap profile after the window, without changing a single answer.
func TestProfilingUnderTheRIE(t *testing.T) {
	// Prepare
	createItems(t)
	ctx := context.Background()
	const bucket, parameter = "gofn-e2e-profiles", "/gofn/profile/hello"
	if _, err := s3Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	put := func(value string) {
		if _, err := ssmClient(t).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(parameter),
			Value: aws.String(value), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	put("off")
	fn := startFunction(t, "hello", "ITEMS_TABLE="+itemsTable, "AWS_ENDPOINT_URL="+motoEndpoint(t),
		"GOFN_PROFILE_PARAMETER="+parameter, "GOFN_PROFILE_BUCKET="+bucket, "GOFN_PROFILE_FLAG_TTL_SECONDS=1")
	if resp := httpResponse(t, fn.invoke(t, getHello("42"))); resp.StatusCode != 200 {
		t.Fatalf("before profiling: %d %s", resp.StatusCode, resp.Body)
	}

	// Act: the flag for the version the RIE runs ($LATEST), 2 s of recording; invocations for 3 s.
	flag, _ := json.Marshal(map[string]any{"version": "$LATEST", "until": time.Now().Add(30 * time.Second).UTC(),
		"seconds": 2, "session": "e2e-1"})
	put(string(flag))
	time.Sleep(1100 * time.Millisecond) // the instance's cached "off" expires
	var statuses []int
	for start := time.Now(); time.Since(start) < 3*time.Second; time.Sleep(50 * time.Millisecond) {
		statuses = append(statuses, httpResponse(t, fn.invoke(t, getHello("42"))).StatusCode)
	}
	put("off")

	// Assess
	for _, s := range statuses {
		if s != 200 {
			t.Fatalf("an answer changed while profiling: %v", statuses)
		}
	}
	list, err := s3Client(t).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "profiles/hello/$LATEST/") ||
		!strings.HasSuffix(keys[0], "-e2e-1-cpu.pb.gz") || !strings.HasSuffix(keys[1], "-e2e-1-heap.pb.gz") {
		t.Fatalf("objects %q", keys)
	}
	obj, err := s3Client(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(keys[0])})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if zr, err := gzip.NewReader(bytes.NewReader(body)); err != nil {
		t.Fatalf("the CPU profile is not gzip: %v", err)
	} else if raw, _ := io.ReadAll(zr); len(raw) == 0 {
		t.Fatal("the CPU profile is empty")
	}
	if n := obj.Metadata["invocations"]; n == "" || n == "0" || n == "1" {
		t.Fatalf("recorded across %q invocations, want several of the %d", n, len(statuses))
	}
	var started, uploaded int
	for _, l := range fn.logLines() {
		switch l["message"] {
		case "profiling started":
			started++
		case "profile uploaded":
			uploaded++
			if l["requestId"] == nil {
				t.Errorf("upload logged without the invocation's request ID: %v", l)
			}
		}
		if l["level"] == "WARN" || l["level"] == "ERROR" {
			t.Errorf("unexpected %s line: %v", l["level"], l)
		}
	}
	if started != 1 || uploaded != 2 {
		t.Fatalf("log lines: %d started, %d uploaded", started, uploaded)
	}
	t.Logf("%d invocations; %s: %d bytes across %s invocations", len(statuses), keys[0], len(body), obj.Metadata["invocations"])
}
