/** BPMN models for the history tests: each exercises a part of the read model with what the engine really emits. */

const header = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="history-definitions" targetNamespace="http://example.org/history">`;

/**
 * An order: a service task (job `charge`, 3 retries, a custom header), then a user task for the group `sales`
 * (assignee, due and follow-up dates, priority, form), then the end. Output mapping: `charged` from the job's result.
 */
export const orderBpmn = `${header}
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="received" name="Order received" />
    <bpmn:sequenceFlow id="to-charge" sourceRef="received" targetRef="charge" />
    <bpmn:serviceTask id="charge" name="Charge the card">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="charge" retries="3" />
        <zeebe:taskHeaders><zeebe:header key="provider" value="acme-pay" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-ship" sourceRef="charge" targetRef="ship" />
    <bpmn:userTask id="ship" name="Ship the parcel">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="ada" candidateGroups="sales, warehouse" candidateUsers="bob" />
        <zeebe:taskSchedule dueDate="2026-03-08T17:00:00Z" followUpDate="2026-03-05T09:00:00Z" />
        <zeebe:priorityDefinition priority="70" />
        <zeebe:formDefinition formKey="forms:ship" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="ship" targetRef="shipped" />
    <bpmn:endEvent id="shipped" name="Order shipped" />
  </bpmn:process>
</bpmn:definitions>`;

/** A parallel fork into a sub-process (one job inside) and a pass-through task, joined before the end. */
export const parallelBpmn = `${header}
  <bpmn:process id="parallel" name="Parallel" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-fork" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="to-sub" sourceRef="fork" targetRef="sub" />
    <bpmn:sequenceFlow id="to-note" sourceRef="fork" targetRef="note" />
    <bpmn:subProcess id="sub" name="Check">
      <bpmn:startEvent id="sub-start" />
      <bpmn:sequenceFlow id="to-check" sourceRef="sub-start" targetRef="check" />
      <bpmn:serviceTask id="check" name="Check it">
        <bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:sequenceFlow id="to-sub-end" sourceRef="check" targetRef="sub-end" />
      <bpmn:endEvent id="sub-end" />
    </bpmn:subProcess>
    <bpmn:task id="note" name="Take a note" />
    <bpmn:sequenceFlow id="sub-to-join" sourceRef="sub" targetRef="join" />
    <bpmn:sequenceFlow id="note-to-join" sourceRef="note" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="to-end" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** An exclusive gateway whose condition reads a variable that may be missing: an EXPRESSION/CONDITION incident. */
export const decisionBpmn = `${header}
  <bpmn:process id="decision" name="Decision" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-gate" sourceRef="start" targetRef="gate" />
    <bpmn:exclusiveGateway id="gate" name="Amount?" />
    <bpmn:sequenceFlow id="big" sourceRef="gate" targetRef="big-end"><bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gate" targetRef="small-end"><bpmn:conditionExpression>=amount &lt;= 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="big-end" name="Big" />
    <bpmn:endEvent id="small-end" name="Small" />
  </bpmn:process>
</bpmn:definitions>`;

/** A lookup (job `lookup`) whose NOT_FOUND error an error boundary event catches, leading to a user task. */
export const errorBpmn = `${header}
  <bpmn:error id="not-found" errorCode="NOT_FOUND" />
  <bpmn:process id="errors" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lookup" />
    <bpmn:serviceTask id="lookup"><bpmn:extensionElements><zeebe:taskDefinition type="lookup" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="lookup" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="missing" attachedToRef="lookup"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="missing" targetRef="handle" />
    <bpmn:userTask id="handle" />
  </bpmn:process>
</bpmn:definitions>`;
