package io.fleetkit.junit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link Fleetkit} parameters for a class annotated {@link FleetkitTest}: one running platform per test class,
 * started at its first use (a {@code @BeforeAll}, a constructor, a test) and stopped when the class is done.
 */
public final class FleetkitExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FleetkitExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Fleetkit.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        FleetkitTest settings = AnnotationSupport.findAnnotation(testClass, FleetkitTest.class)
                .orElseThrow(() -> new IllegalStateException(testClass.getName() + " asks for a Fleetkit without @FleetkitTest"));
        // the class's store closes the platform (an AutoCloseable) when the class is done
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(classContext.getUniqueId(), k -> Fleetkit.start(settings), Fleetkit.class);
    }
}
