package dev.kaskade.testing.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;
import java.util.List;

/**
 * Stands in for the registry's "config-index" build extension, whose build-time half is not on Maven Central:
 * it only lists the properties an administrator may change at run time. A test registry changes none, so the
 * list is empty and every property keeps its static value.
 */
public class DynamicConfigPropertyListProducer {
  @Produces
  @Singleton
  DynamicConfigPropertyList dynamicConfigPropertyList() {
    return new DynamicConfigPropertyList(List.of());
  }
}
