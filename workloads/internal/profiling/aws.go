package profiling

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Environment variables the infrastructure sets on a function that may be profiled.
const (
	EnvParameter = "GOFN_PROFILE_PARAMETER"        // the SSM parameter holding the flag
	EnvBucket    = "GOFN_PROFILE_BUCKET"           // where profiles go
	EnvFlagTTL   = "GOFN_PROFILE_FLAG_TTL_SECONDS" // how long a read of the flag is reused (30)
)

// SSMFlag reads the flag from a Parameter Store parameter.
type SSMFlag struct {
	api  *awsAPI
	Name string
}

// NewSSMFlag reads the parameter name with cfg's credentials and region.
func NewSSMFlag(cfg aws.Config, name string) SSMFlag { return SSMFlag{api: newAWSAPI(cfg), Name: name} }

// ReadFlag returns the parameter's value, or "" when it does not exist.
func (s SSMFlag) ReadFlag(ctx context.Context) (string, error) {
	return s.api.getParameter(ctx, s.Name)
}

// S3Uploader stores profiles in a bucket.
type S3Uploader struct {
	api    *awsAPI
	Bucket string
}

// NewS3Uploader stores in bucket with cfg's credentials and region.
func NewS3Uploader(cfg aws.Config, bucket string) S3Uploader {
	return S3Uploader{api: newAWSAPI(cfg), Bucket: bucket}
}

// Upload puts one object.
func (u S3Uploader) Upload(ctx context.Context, key string, body []byte, metadata map[string]string) error {
	return u.api.putObject(ctx, u.Bucket, key, body, metadata)
}

// FromEnv returns the recorder the environment asks for, or nil when GOFN_PROFILE_PARAMETER or
// GOFN_PROFILE_BUCKET is unset: then Wrap returns the handler itself and profiling costs
// nothing. The AWS clients are made on the first read of the flag, not at init.
func FromEnv() *Recorder {
	parameter, bucket := os.Getenv(EnvParameter), os.Getenv(EnvBucket)
	if parameter == "" || bucket == "" {
		return nil
	}
	ttl := 30 * time.Second
	if s, err := strconv.Atoi(os.Getenv(EnvFlagTTL)); err == nil && s > 0 {
		ttl = time.Duration(s) * time.Second
	}
	api := sync.OnceValues(func() (*awsAPI, error) {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
		return newAWSAPI(cfg), nil
	})
	return New(Config{
		Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		Version:  os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
		Instance: InstanceID(os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME")),
		FlagTTL:  ttl,
	}, lazyFlag{api: api, name: parameter}, lazyUpload{api: api, bucket: bucket})
}

type lazyFlag struct {
	api  func() (*awsAPI, error)
	name string
}

func (l lazyFlag) ReadFlag(ctx context.Context) (string, error) {
	api, err := l.api()
	if err != nil {
		return "", err
	}
	return api.getParameter(ctx, l.name)
}

type lazyUpload struct {
	api    func() (*awsAPI, error)
	bucket string
}

func (l lazyUpload) Upload(ctx context.Context, key string, body []byte, metadata map[string]string) error {
	api, err := l.api()
	if err != nil {
		return err
	}
	return api.putObject(ctx, l.bucket, key, body, metadata)
}

var notKeySafe = regexp.MustCompile(`[^A-Za-z0-9-]+`)

// InstanceID names the execution environment in object keys: the ID at the end of its log
// stream name ("2026/11/26/[42]0123abcd…" → "0123abcd…"), or a random one when there is none.
func InstanceID(logStream string) string {
	if i := strings.LastIndex(logStream, "]"); i >= 0 {
		logStream = logStream[i+1:]
	}
	if id := strings.Trim(notKeySafe.ReplaceAllString(logStream, "-"), "-"); id != "" {
		if len(id) > 64 {
			id = id[len(id)-64:]
		}
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "env-" + hex.EncodeToString(b)
}
