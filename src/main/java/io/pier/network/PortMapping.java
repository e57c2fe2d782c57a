package io.pier.network;

/** A host port forwarded to a pod port, as the CNI portmap plugin takes it. */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {}
