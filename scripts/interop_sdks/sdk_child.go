// The AWS SDK for Go v2 as a child of with-role-creds in scripts/interop: prints what the SDK's default chain
// resolved, as JSON on one line. Built by scripts/interop from Debian's packages (GOPATH mode, no module proxy).
//
//	sdk_child env     once: the credentials, their source, the region, and STS GetCallerIdentity
//	sdk_child serve   until INTEROP_SERVE_SECONDS pass or INTEROP_SERVE_KEYS keys were seen: a call to STS
//	                  every half second with whatever the SDK holds, refreshed through its own cache
//
// STS is INTEROP_MOTO_URL (moto_server on 127.0.0.1): nothing leaves the machine.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func emit(v map[string]interface{}) {
	line, _ := json.Marshal(v)
	os.Stdout.Write(append(line, '\n'))
}

func errorText(err error) interface{} {
	if err == nil {
		return nil
	}
	return err.Error()
}

func main() {
	ctx := context.Background()
	var options []func(*config.LoadOptions) error
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		// Refresh once less than 55 s remain, as the launcher's --refresh-before 55s does upstream: the SDK's
		// default waits for the expiry itself, minutes away (the cache's ExpiryWindow is an SDK option).
		options = append(options, config.WithCredentialsCacheOptions(func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow = 55 * time.Second
		}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, options...)
	if err != nil {
		emit(map[string]interface{}{"error": err.Error()})
		os.Exit(1)
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.EndpointResolver = sts.EndpointResolverFromURL(os.Getenv("INTEROP_MOTO_URL"))
	})
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		serve(ctx, cfg, client)
		return
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	out := map[string]interface{}{"region": cfg.Region, "error": errorText(err)}
	if err == nil {
		out["source"] = creds.Source
		out["access_key"] = creds.AccessKeyID
		out["secret_key"] = creds.SecretAccessKey
		out["token"] = creds.SessionToken
		if creds.CanExpire {
			out["expires"] = creds.Expires.UTC().Format(time.RFC3339)
		}
		identity, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			out["account_error"] = err.Error()
		} else {
			out["account"] = aws.ToString(identity.Account)
		}
	}
	emit(out)
}

func serve(ctx context.Context, cfg aws.Config, client *sts.Client) {
	emit(map[string]interface{}{"start": os.Getpid()})
	seconds, _ := strconv.ParseFloat(os.Getenv("INTEROP_SERVE_SECONDS"), 64)
	want, _ := strconv.Atoi(os.Getenv("INTEROP_SERVE_KEYS"))
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	keys, errors, sources, calls := []string{}, []string{}, map[string]bool{}, 0
	for time.Now().Before(deadline) && len(keys) < want && len(errors) <= 5 {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err == nil {
			sources[creds.Source] = true
			_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		}
		if err != nil {
			errors = append(errors, err.Error())
		} else {
			calls++
			if len(keys) == 0 || keys[len(keys)-1] != creds.AccessKeyID {
				keys = append(keys, creds.AccessKeyID)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	names := []string{}
	for name := range sources {
		names = append(names, name)
	}
	emit(map[string]interface{}{"sources": names, "keys": keys, "calls": calls, "errors": errors})
}
