// Command legacy-cri-client calls the CRI Version RPC the way kubelet and crictl built with
// grpc-go before 1.58 do: such clients send the unix socket path as the :authority header,
// which some gRPC servers refuse. Pier's tests use it to prove pierd still answers them.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtime "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: legacy-cri-client unix:///path/to/cri.sock")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Like kubelet and crictl of that era: dial the bare socket path through a custom
	// dialer, so grpc-go takes the path itself as the channel's authority.
	path := strings.TrimPrefix(os.Args[1], "unix://")
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", addr)
	}
	conn, err := grpc.DialContext(ctx, path, grpc.WithContextDialer(dialer),
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithBlock())
	if err != nil {
		fmt.Fprintln(os.Stderr, "legacy-cri-client: connecting:", err)
		os.Exit(1)
	}
	defer conn.Close()
	version, err := runtime.NewRuntimeServiceClient(conn).Version(ctx, &runtime.VersionRequest{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "legacy-cri-client: Version:", err)
		os.Exit(1)
	}
	fmt.Printf("RuntimeName: %s\nRuntimeVersion: %s\n", version.RuntimeName, version.RuntimeVersion)
}
