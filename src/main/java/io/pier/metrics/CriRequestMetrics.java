package io.pier.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Times every CRI call into a histogram tagged by service, method and gRPC status code.
 * Quarkus' own gRPC metrics only see the servers Quarkus starts, not the CRI socket server.
 */
@ApplicationScoped
public class CriRequestMetrics implements ServerInterceptor {

  /** The metric's name; Prometheus shows it as {@code pier_cri_requests_seconds_*}. */
  public static final String METRIC = "pier.cri.requests";

  private final MeterRegistry registry;

  CriRequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Timer.Sample sample = Timer.start(registry);
    String service = call.getMethodDescriptor().getServiceName();
    String method = call.getMethodDescriptor().getBareMethodName();
    ServerCall<Q, R> timed = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        sample.stop(Timer.builder(METRIC)
            .description("CRI calls served, by method and gRPC status code")
            .tag("service", service == null ? "" : service.substring(service.lastIndexOf('.') + 1))
            .tag("method", method == null ? "" : method)
            .tag("code", status.getCode().name())
            .publishPercentileHistogram()
            .register(registry));
        super.close(status, trailers);
      }
    };
    return next.startCall(timed, headers);
  }
}
