/**
 * BPMN models with user tasks, shared by the task-service's tests (through `testing.ts`) and by the batch workload
 * (`user-task-batch-workload.ts`), which also runs under plain Node for its benchmark and so cannot import `testing.ts`
 * (that re-exports the Kafka test kit, which needs Jest).
 */
/**
 * `approval`: start → `approve` (a user task assigned from the variables `approver`, `groups`, `users`, `due`,
 * `priority`) → end. `review`: start → `stage` (a sub-process with a local `doubled` variable) holding `check`, a user
 * task with a local input `share` → end.
 */
export const USER_TASK_MODELS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/tasks">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve order">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=approver" candidateGroups="=groups" candidateUsers="=users" />
        <zeebe:taskSchedule dueDate="=due" followUpDate="2031-01-01T09:00:00Z" />
        <zeebe:priorityDefinition priority="=priority" />
        <zeebe:formDefinition formKey="camunda-forms:bpmn:approve-form" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="review-start" />
    <bpmn:sequenceFlow id="r1" sourceRef="review-start" targetRef="stage" />
    <bpmn:subProcess id="stage">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:input source="=amount * 2" target="doubled" /></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:startEvent id="stage-start" />
      <bpmn:sequenceFlow id="s1" sourceRef="stage-start" targetRef="check" />
      <bpmn:userTask id="check" name="Check">
        <bpmn:extensionElements>
          <zeebe:ioMapping><zeebe:input source="=doubled / 4" target="share" /></zeebe:ioMapping>
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="check" targetRef="stage-end" />
      <bpmn:endEvent id="stage-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="r2" sourceRef="stage" targetRef="review-end" />
    <bpmn:endEvent id="review-end" />
  </bpmn:process>
</bpmn:definitions>`;
