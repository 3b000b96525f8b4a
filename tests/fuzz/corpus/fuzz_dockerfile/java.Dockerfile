# syntax=docker/dockerfile:1

FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /app

# Copy and build
COPY pom.xml .
COPY src ./src
RUN mvn clean package -DskipTests

# Distroless runtime
FROM gcr.io/distroless/java17-debian12:nonroot

# Copy JAR
COPY --from=builder /app/target/*.jar /app/app.jar

WORKDIR /app
EXPOSE 8080

CMD ["app.jar"]
