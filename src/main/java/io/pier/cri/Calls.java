package io.pier.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pier.AlreadyExistsException;
import io.pier.FailedPreconditionException;
import io.pier.NotFoundException;
import io.pier.monitor.MonitorException;
import io.pier.network.CniException;
import io.pier.oci.OciRuntimeException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Completes unary CRI calls, turning failures into gRPC statuses kubelet can act on. */
final class Calls {

  private static final Logger LOG = Logger.getLogger(Calls.class);

  private Calls() {}

  /** Answers a unary call with what {@code work} returns, or with the status it failed with. */
  static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    T result;
    try {
      result = work.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (NotFoundException e) {
      response.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (AlreadyExistsException e) {
      response.onError(
          Status.ALREADY_EXISTS.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (FailedPreconditionException e) {
      response.onError(
          Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IllegalArgumentException e) {
      response.onError(
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (MonitorException | OciRuntimeException | CniException e) {
      // The runtime, monitor or network refused: a fact about the request, not a bug in pierd.
      LOG.warn(e.getMessage());
      response.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.error("CRI call failed", e);
      response.onError(Status.INTERNAL
          .withDescription(e.getMessage() == null ? e.toString() : e.getMessage())
          .asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
